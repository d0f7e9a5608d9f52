package io.understudy.failoverswitch.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.understudy.cluster.ClusterView;
import io.understudy.cluster.CommandRecord;
import io.understudy.cluster.CommandRecord.Type;
import io.understudy.cluster.PrimaryRecord;

/**
 * Turns an admin request body into a {@link CommandRecord}, or says why not. Pure. Only the shape
 * and the obvious is checked against the switch's view (the target is a registered member and not
 * already the primary, the operator's epoch is still current); the nodes decide the rest.
 *
 * <p>Body (all optional except {@code to} for a switchover):
 * {@code {"to": "<nodeId>", "reason": "...", "expectedEpoch": <n>}}. Without
 * {@code expectedEpoch} the epoch the switch sees now is recorded, so a command cannot act on
 * a cluster that changed before a node picked it up.
 */
public final class CommandRequests {

    /** The outcome: a command to write, or a 4xx answer. */
    public sealed interface Result permits Accepted, Rejected {
    }

    public record Accepted(CommandRecord command) implements Result {
    }

    public record Rejected(int status, String error, String message) implements Result {
    }

    private CommandRequests() {
    }

    /** @param body the parsed request body; null or missing node for an empty body */
    public static Result build(Type type, JsonNode body, ClusterView view, String id, String requestedBy, long nowMs) {
        if (body != null && !body.isMissingNode() && !body.isNull() && !body.isObject()) {
            return new Rejected(400, "bad_request", "the body must be a JSON object");
        }
        String to = text(body, "to");
        String reason = text(body, "reason");
        JsonNode epochNode = body == null ? null : body.get("expectedEpoch");
        if (epochNode != null && !epochNode.isNull() && (!epochNode.canConvertToLong() || epochNode.asLong() < 0
                || !epochNode.isIntegralNumber())) {
            return new Rejected(400, "bad_request", "expectedEpoch must be a non-negative whole number");
        }
        long current = view.epoch();
        long expected = epochNode == null || epochNode.isNull() ? current : epochNode.asLong();
        if (expected != current && expected != 0) {
            return new Rejected(409, "epoch_changed", "the cluster is in epoch " + current + ", not " + expected
                    + "; look at /_understudy/status again");
        }
        if (type == Type.SWITCHOVER && (to == null || to.isBlank())) {
            return new Rejected(400, "bad_request", "a switchover needs {\"to\": \"<nodeId>\"}");
        }
        if ((type == Type.PAUSE || type == Type.RESUME) && to != null) {
            return new Rejected(400, "bad_request", type.name().toLowerCase() + " takes no target");
        }
        if (to != null) {
            if (view.member(to).isEmpty()) {
                return new Rejected(409, "unknown_node", "node '" + to + "' is not a registered member");
            }
            if (view.primary().map(PrimaryRecord::nodeId).filter(to::equals).isPresent()) {
                return new Rejected(409, "already_primary", "node '" + to + "' is already the primary");
            }
        }
        if (type == Type.FAILOVER && view.primary().isEmpty()) {
            return new Rejected(409, "no_primary", "there is no primary to fail over from");
        }
        return new Accepted(new CommandRecord(id, type, to, expected, requestedBy, nowMs, reason));
    }

    private static String text(JsonNode body, String field) {
        if (body == null) {
            return null;
        }
        JsonNode value = body.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
