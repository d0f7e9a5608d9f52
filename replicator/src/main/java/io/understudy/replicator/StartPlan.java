package io.understudy.replicator;

import io.understudy.cluster.Lsn;
import java.util.Optional;

/** Pure decision at start: resume the stream, or throw the target's copy away and sync afresh. */
record StartPlan(boolean fresh, long appliedPosition, long sourceCommitTsMs, String reason) {

    /**
     * The stream's replication slot on the source, as far as resuming cares.
     *
     * @param confirmedFlush the slot's {@code confirmed_flush_lsn}: the source keeps every change committed after it
     * @param lost           the source invalidated the slot ({@code wal_status = 'lost'}): WAL it needed is gone
     */
    record Slot(long confirmedFlush, boolean lost) {
    }

    /** @param scope the stream's replication scope now; a copy taken with another one is not resumed */
    static StartPlan decide(String sourceId, Optional<AppliedState> stored, Optional<Slot> slot, String scope) {
        if (stored.isEmpty()) {
            return fresh("target holds no state for source " + sourceId);
        }
        AppliedState state = stored.get();
        if (!state.snapshotComplete()) {
            return fresh("the snapshot from source " + sourceId + " never completed");
        }
        if (state.scope() != null && !state.scope().equals(scope)) {
            return fresh("the replication scope changed since the target's copy was taken (" + state.scope() + ", now " + scope
                    + "); tables that came into scope were never copied");
        }
        if (slot.isEmpty()) {
            return fresh("the replication slot on source " + sourceId + " is gone; the changes since "
                    + Lsn.format(state.commitPosition()) + " cannot be streamed");
        }
        if (slot.get().lost()) {
            return fresh("source " + sourceId + " invalidated the replication slot (it held more WAL than allowed)");
        }
        if (slot.get().confirmedFlush() > state.commitPosition()) {
            return fresh("the slot on source " + sourceId + " is at " + Lsn.format(slot.get().confirmedFlush())
                    + ", past the applied " + Lsn.format(state.commitPosition()) + "; changes in between are gone");
        }
        return new StartPlan(false, state.commitPosition(), state.sourceCommitTsMs(),
                "resuming source " + sourceId + " after position " + Lsn.format(state.commitPosition()));
    }

    private static StartPlan fresh(String reason) {
        return new StartPlan(true, 0, 0, reason);
    }
}
