package io.understudy.node.app;

import io.understudy.node.api.SyncHooks;
import io.understudy.node.role.WriteGate;

/**
 * The sync-mode part of the write barrier, the same wait the built-in write path makes: the primary's WAL position is
 * read now, after the application answered (so it lies at or past the application's commit), and the answer waits
 * until a secondary has applied that far, bounded by {@code replication.syncTimeoutMs} and ended early when this node
 * stops being primary of the epoch. In async mode it returns at once. Thread-safe.
 */
public final class SyncBarrier implements AppWriteBarrier {

    private final SyncHooks sync;
    private final WriteGate gate;

    public SyncBarrier(SyncHooks sync, WriteGate gate) {
        this.sync = sync;
        this.gate = gate;
    }

    @Override
    public void afterWrite(long epoch) throws Exception {
        String notReplicated = sync.awaitReplicated(() -> gate.stillOpen(epoch));
        if (notReplicated != null) {
            throw new NotDurable(notReplicated);
        }
    }
}
