package io.understudy.replicator;

/**
 * What the target holds for one stream, as stored in {@code understudy_replica_state}.
 *
 * @param commitPosition   commit LSN of the last applied source transaction (or the snapshot's consistent point)
 * @param sourceCommitTsMs its source commit time (epoch ms), 0 for a snapshot
 * @param scope            the replication scope the target's copy was taken with ({@code ReplicationScope#toString}),
 *                         or null when not recorded
 */
public record AppliedState(String sourceId, long commitPosition, long sourceCommitTsMs, boolean snapshotComplete, String scope) {

    public AppliedState(String sourceId, long commitPosition, long sourceCommitTsMs, boolean snapshotComplete) {
        this(sourceId, commitPosition, sourceCommitTsMs, snapshotComplete, null);
    }
}
