package io.understudy.node.api;

import java.util.function.BooleanSupplier;

/**
 * What the HTTP layer needs from replication: the sync-mode checks around every write, the endpoint on which
 * secondaries report how far they have applied, and the metrics text. Implementations are thread-safe.
 */
public interface SyncHooks {

    /** Why a write must be refused before it starts (nothing is applied), or null to go ahead. */
    String refuseBeforeWrite();

    /**
     * Called after a write committed here and before it is acknowledged: returns null once a secondary has applied
     * it (or at once in async mode), else why the write must not be acknowledged. Bounded by the sync timeout.
     *
     * @param stillPrimary false once this node may no longer acknowledge writes; the wait then ends
     */
    String awaitReplicated(BooleanSupplier stillPrimary) throws Exception;

    /** A secondary streaming from {@code sourceId} has processed this node's WAL up to {@code position}. */
    void applied(String nodeId, String sourceId, long position);

    /** Prometheus text exposition of the node's metrics. */
    String metrics();
}
