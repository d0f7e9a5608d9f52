package io.understudy.replicator;

/**
 * Immutable snapshot of a replicator, safe to read from any thread.
 *
 * @param appliedPosition      commit position (LSN) of the last source transaction applied to the target, 0 if none
 * @param lastSourceCommitTsMs source commit time of that transaction (epoch ms), 0 if none
 * @param lagMs                apply time minus source commit time of that transaction; 0 once the stream was processed
 *                             past it with nothing to apply (caught up, idle)
 * @param snapshotComplete     whether the target holds a complete initial copy for this stream
 * @param snapshotRows         rows copied by the snapshot of this run
 * @param error                why the replicator failed, or null
 * @param snapshot             progress of this run's snapshot (tables done, rate), {@link SnapshotProgress#NONE} if none
 */
public record ReplicationStatus(State state, long appliedPosition, long lastSourceCommitTsMs, long lagMs,
                                boolean snapshotComplete, long snapshotRows, String error, SnapshotProgress snapshot) {

    /**
     * How far a snapshot has come.
     *
     * @param tablesTotal  tables the stream replicates
     * @param tablesDone   tables completely copied
     * @param rows         rows copied so far
     * @param rowsPerSecond copy rate since the first row
     */
    public record SnapshotProgress(int tablesTotal, int tablesDone, long rows, long rowsPerSecond) {
        public static final SnapshotProgress NONE = new SnapshotProgress(0, 0, 0, 0);
    }

    static ReplicationStatus initial() {
        return new ReplicationStatus(State.STARTING, 0, 0, 0, false, 0, null, SnapshotProgress.NONE);
    }

    ReplicationStatus withState(State next, String why) {
        return new ReplicationStatus(next, appliedPosition, lastSourceCommitTsMs, lagMs, snapshotComplete, snapshotRows,
                next == State.FAILED ? why : error, snapshot);
    }
}
