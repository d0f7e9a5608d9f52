package io.understudy.failoverswitch.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.understudy.cluster.DrillSummary;
import io.understudy.cluster.HistoryRecord;
import io.understudy.cluster.zk.ZkPaths;
import java.util.regex.Pattern;

/**
 * Turns the body of {@code POST /_understudy/drills} (what {@code understudy drill} sends when it is
 * done) into a {@code DRILL_REPORT} history record, or says why not. Pure.
 *
 * <p>Body: the fields of {@link DrillSummary} ({@code kind}, {@code passed}, {@code verdict},
 * {@code rtoMs}, {@code lostWrites}, {@code acknowledgedWrites}, {@code failedRequests},
 * {@code retriedWrites}, {@code duplicates}, {@code durationMs}, {@code report}) plus the optional
 * {@code nodeId} of the primary the drill was run against.
 */
public final class DrillRequests {

    /** The outcome: a record to append, or a 400 answer. */
    public sealed interface Result permits Accepted, Rejected {
    }

    public record Accepted(HistoryRecord record) implements Result {
    }

    public record Rejected(String message) implements Result {
    }

    private static final Pattern KIND = Pattern.compile("[a-z][a-z-]{0,31}");
    private static final Pattern REPORT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");
    private static final int MAX_VERDICT = 500;

    private DrillRequests() {
    }

    /** @param epoch the cluster's epoch now, recorded with the drill */
    public static Result build(JsonNode body, long epoch, long nowMs) {
        if (body == null || !body.isObject()) {
            return new Rejected("the body must be a JSON object with the drill's figures");
        }
        String kind = body.path("kind").asText("");
        if (!KIND.matcher(kind).matches()) {
            return new Rejected("kind must be 1-32 lower-case letters or '-', got '" + kind + "'");
        }
        String report = body.path("report").asText("");
        if (!REPORT.matcher(report).matches()) {
            return new Rejected("report must be the report's file name without extension (letters, digits, '.', '_', '-'),"
                    + " got '" + report + "'");
        }
        if (!body.path("passed").isBoolean()) {
            return new Rejected("passed must be true or false");
        }
        String verdict = body.path("verdict").asText(body.path("passed").asBoolean() ? "passed" : "failed");
        if (verdict.length() > MAX_VERDICT) {
            return new Rejected("verdict must be at most " + MAX_VERDICT + " characters");
        }
        JsonNode nodeField = body.get("nodeId");
        String nodeId = nodeField == null || nodeField.isNull() ? null : nodeField.asText();
        if (nodeId != null) {
            try {
                ZkPaths.requireName("nodeId", nodeId);
            } catch (IllegalArgumentException e) {
                return new Rejected(e.getMessage());
            }
        }
        long[] figures = new long[7];
        String[] names = {"rtoMs", "lostWrites", "acknowledgedWrites", "failedRequests", "retriedWrites", "duplicates",
                "durationMs"};
        for (int i = 0; i < names.length; i++) {
            JsonNode value = body.get(names[i]);
            long least = names[i].equals("lostWrites") ? -1 : 0;
            if (value == null || !value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < least) {
                return new Rejected(names[i] + " must be a whole number >= " + least + ", got " + value);
            }
            figures[i] = value.asLong();
        }
        DrillSummary drill = new DrillSummary(kind, body.path("passed").asBoolean(), verdict, figures[0], figures[1],
                figures[2], figures[3], figures[4], figures[5], figures[6], report);
        return new Accepted(HistoryRecord.ofDrill(nodeId, epoch, nowMs, reason(drill), drill));
    }

    /** One line for the history, e.g. {@code kill drill passed: RTO 1930 ms, 0 of 2931 acknowledged writes lost, ...}. */
    static String reason(DrillSummary d) {
        String lost = d.lostWrites() < 0 ? "acknowledged writes not checked" : d.lostWrites() + " of " + d.acknowledgedWrites()
                + " acknowledged writes lost";
        return d.kind() + " drill " + (d.passed() ? "passed" : "FAILED (" + d.verdict() + ")") + ": RTO " + d.rtoMs() + " ms, "
                + lost + ", " + d.failedRequests() + " failed requests, " + d.retriedWrites() + " writes retried, "
                + d.duplicates() + " applied twice; report " + d.report();
    }
}
