package io.understudy.replicator;

/** Lifecycle of one {@link Replicator}. Terminal states: {@link #DRAINED}, {@link #STOPPED}, {@link #FAILED}. */
public enum State {
    /** Created or starting: preparing the target, the engine is connecting to the source. */
    STARTING,
    /** Fresh sync: the engine copies the source tables' existing rows into the target. */
    SNAPSHOTTING,
    /** The initial copy is complete (or was resumed); source transactions are applied as they commit. */
    STREAMING,
    /** {@link Replicator#drain} applied everything the source had committed when it was called, then stopped. */
    DRAINED,
    /** Stopped by {@link Replicator#close} (or a drain that ran out of time) without error. */
    STOPPED,
    /** Stopped on an error that retrying cannot fix; {@link ReplicationStatus#error()} says what. */
    FAILED;

    public boolean isTerminal() {
        return this == DRAINED || this == STOPPED || this == FAILED;
    }
}
