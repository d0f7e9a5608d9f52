package io.understudy.cluster;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import java.util.Objects;

/**
 * Content of the persistent {@code /sync} znode: in {@code replication.mode=sync}, the secondaries that hold every
 * write the primary of {@code epoch} has acknowledged. The primary acknowledges a write only once every one of them
 * has applied it, adds a secondary only after it caught up, and rewrites this record before it stops waiting for
 * one; so while the record names standbys, only they may take over from that primary automatically (a secondary
 * outside it may lack acknowledged writes). Written only by that primary, with versioned sets. An empty list means
 * the primary acknowledges without a secondary (degraded, {@code replication.syncFallback=async}) or not at all.
 *
 * @param primary  the primary that wrote it
 * @param epoch    its epoch: a record of another epoch constrains nobody
 * @param standbys the synchronous standbys, by node id
 * @param sinceMs  wall-clock time of the last change, for humans only
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SyncStandbys(String primary, long epoch, List<String> standbys, long sinceMs) {

    public SyncStandbys {
        Objects.requireNonNull(primary, "primary");
        standbys = standbys == null ? List.of() : standbys.stream().sorted().distinct().toList();
    }

    /** Whether this record was written by {@code record}'s primary in its epoch, so it decides who may take over from it. */
    public boolean appliesTo(PrimaryRecord record) {
        return record.nodeId().equals(primary) && record.epoch() == epoch;
    }
}
