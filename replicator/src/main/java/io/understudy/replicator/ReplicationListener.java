package io.understudy.replicator;

/** Progress callbacks. Called on the engine thread: implementations must be quick and must not block. */
public interface ReplicationListener {

    /** After each source transaction (or snapshot chunk) committed on the target. */
    void onApplied(long commitPosition, long lagMs);

    /**
     * The stream has been processed up to {@code position}: every source transaction that committed at or before it
     * is applied (or was not replicated). Advances with applied commits, heartbeats and marker messages; only called
     * once the snapshot is complete.
     */
    default void onProcessed(long position) {
    }

    /** After every state change. */
    void onStateChanged(ReplicationStatus status);

    ReplicationListener NONE = new ReplicationListener() {
        @Override
        public void onApplied(long commitPosition, long lagMs) {
        }

        @Override
        public void onStateChanged(ReplicationStatus status) {
        }
    };
}
