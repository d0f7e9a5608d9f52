package io.understudy.node.role;

import io.understudy.cluster.HistoryRecord;
import io.understudy.cluster.PrimaryRecord;
import io.understudy.cluster.QueuedCommand;

/** Side effects a decision asks for; the node's adapters carry them out in order. */
public sealed interface Action {

    /** Stream from this primary into the local database (a fresh sync if the source is new to us). */
    record FollowPrimary(PrimaryRecord primary) implements Action {
    }

    /**
     * Drain what was received, stop replicating, conditionally set {@code /primary} to this node at
     * {@code newEpoch} (expecting {@code previous}, null for an empty cluster), open the write gate,
     * record history as {@code kind}. Fails without effect on the cluster if the conditional set loses.
     */
    record Promote(long newEpoch, PrimaryRecord previous, HistoryRecord.Type kind, String historyReason)
            implements Action {
    }

    /** Remove a handled operator command from {@code /commands} and record the outcome in history. */
    record CompleteCommand(QueuedCommand command, String outcome) implements Action {
    }

    /** Turn automatic failover off or on, cluster-wide, in {@code /config}. */
    record SetFailoverPaused(boolean paused, String reason) implements Action {
    }

    /**
     * Reopen the write gate of epoch {@code epoch} after the same ZooKeeper session reconnected,
     * once a fresh read confirms {@code /primary} still names this node in that epoch.
     */
    record ReopenGate(long epoch) implements Action {
    }

    /**
     * As the old primary of {@code ownEpoch}: compare what this node committed in that epoch with the position
     * {@code primary} was promoted from, quarantine whatever the new primary lacks, record the verdict in history
     * and hand it to the next decision (see {@link RejoinState.Verdict}). Changes no data.
     */
    record Rejoin(PrimaryRecord primary, long ownEpoch) implements Action {
    }

    /**
     * As the primary, decommission {@code nodeId}: take it out of the synchronous standbys ({@code /sync} first), mark
     * it removed in {@code /roster}, drop its slot and publication, record {@code MEMBER_REMOVED}, complete the command.
     */
    record RemoveMember(QueuedCommand command, String nodeId) implements Action {
    }

    /**
     * As the primary about to hand over to {@code targetNodeId} (any secondary when null), with the write gate still
     * open: wait, bounded, until it has processed this node's WAL up to where it was when the wait began. What it has
     * not applied when the gate closes is what the promotion's drain then waits for, while no client can write.
     */
    record CatchUp(String targetNodeId) implements Action {
    }

    /** Close the write gate (first), then publish the demoted role. */
    record Demote(String why) implements Action {
    }
}
