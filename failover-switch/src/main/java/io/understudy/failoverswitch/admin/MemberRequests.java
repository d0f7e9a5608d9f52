package io.understudy.failoverswitch.admin;

import io.understudy.cluster.ClusterView;
import io.understudy.cluster.CommandRecord;
import io.understudy.cluster.HistoryRecord;
import io.understudy.cluster.MemberRemoval;
import io.understudy.cluster.PrimaryRecord;
import io.understudy.cluster.zk.ZkPaths;
import java.util.List;
import java.util.Optional;

/**
 * Pure decisions of {@code POST /_understudy/members/{id}/remove} (docs/membership.md): whether to write a
 * {@code REMOVE_MEMBER} command at all, and what the cluster did with it once the primary took it.
 */
public final class MemberRequests {

    /** Before writing: a command to write, nothing to do, or a 4xx answer. */
    public sealed interface Check permits Write, AlreadyRemoved, Rejected {
    }

    public record Write(CommandRecord command) implements Check {
    }

    public record AlreadyRemoved(String message) implements Check {
    }

    public record Rejected(int status, String error, String message) implements Check {
    }

    /** After writing: carried out, refused by the primary (with its reason), or not yet taken. */
    public sealed interface Outcome permits Done, Refused, Pending {
    }

    public record Done(String outcome) implements Outcome {
    }

    public record Refused(String outcome) implements Outcome {
    }

    public record Pending() implements Outcome {
    }

    private MemberRequests() {
    }

    /** Whether removing {@code nodeId} can be asked of the cluster seen in {@code view}. */
    public static Check remove(String nodeId, String reason, ClusterView view, String id, String requestedBy, long nowMs) {
        try {
            ZkPaths.requireName("node id", nodeId);
        } catch (IllegalArgumentException e) {
            return new Rejected(400, "bad_request", e.getMessage());
        }
        if (view.removed(nodeId)) {
            return new AlreadyRemoved(nodeId + " was removed before; nothing to do");
        }
        Optional<PrimaryRecord> live = view.livePrimary();
        if (live.isEmpty()) {
            return new Rejected(409, "no_primary", "the cluster has no live primary to drop " + nodeId
                    + "'s slot and publication; try again once it has one");
        }
        Optional<MemberRemoval.Refusal> problem = MemberRemoval.problem(view, live.get().nodeId(), nodeId);
        if (problem.isPresent()) {
            MemberRemoval.Refusal refusal = problem.get();
            return new Rejected(refusal.code().equals("unknown_node") ? 404 : 409, refusal.code(), refusal.message());
        }
        return new Write(new CommandRecord(id, CommandRecord.Type.REMOVE_MEMBER, nodeId, live.get().epoch(), requestedBy,
                nowMs, reason));
    }

    /**
     * What became of {@code command}, once the primary removed it and recorded the outcome in the history entry naming
     * it: done when that outcome says so or the roster shows the node removed, refused otherwise; pending meanwhile.
     * The outcome decides first: the primary marks the node removed before it records "done", but this switch's view
     * of the roster and of the history are filled by separate watches, and the history can arrive first.
     */
    public static Outcome outcome(CommandRecord command, ClusterView view, List<HistoryRecord> history) {
        Optional<String> recorded = history.stream()
                .filter(h -> h.type() == HistoryRecord.Type.COMMAND && h.reason() != null && h.reason().contains(command.id()))
                .map(HistoryRecord::reason).findFirst();
        boolean queued = view.commands().stream().anyMatch(q -> q.command().id().equals(command.id()));
        if (queued || recorded.isEmpty()) {
            return new Pending();
        }
        String reason = recorded.get();
        return saysDone(reason) || view.removed(command.targetNodeId()) ? new Done(reason) : new Refused(reason);
    }

    /** A command's history entry reads {@code command <id> (<type>) from <who>: <outcome>}; a carried-out one's starts "done". */
    private static boolean saysDone(String reason) {
        int from = reason.indexOf(") from ");
        int colon = from < 0 ? -1 : reason.indexOf(": ", from);
        return colon >= 0 && reason.startsWith("done", colon + 2);
    }
}
