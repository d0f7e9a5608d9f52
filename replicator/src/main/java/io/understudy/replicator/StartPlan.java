package io.understudy.replicator;

import java.util.Optional;

/** Pure decision at start: resume the stream, or throw the target's copy away and sync afresh. */
record StartPlan(boolean fresh, long appliedPosition, long sourceCommitTsMs, String reason) {

    static StartPlan decide(String sourceId, Optional<AppliedState> stored, boolean offsetFileExists) {
        if (stored.isEmpty()) {
            return new StartPlan(true, 0, 0, "target holds no state for source " + sourceId);
        }
        AppliedState state = stored.get();
        if (!state.snapshotComplete()) {
            return new StartPlan(true, 0, 0, "the snapshot from source " + sourceId + " never completed");
        }
        if (!offsetFileExists) {
            return new StartPlan(true, 0, 0, "the offset file for source " + sourceId + " is missing");
        }
        return new StartPlan(false, state.commitPosition(), state.sourceCommitTsMs(),
                "resuming source " + sourceId + " after position " + state.commitPosition());
    }
}
