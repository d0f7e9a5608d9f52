package io.understudy.cluster;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * Replication details a node publishes in its member record, for status pages, metrics and operators.
 *
 * @param state                  on a secondary: its replicator's state ({@code SNAPSHOTTING}, {@code STREAMING},
 *                               {@code FAILED} ...); on a primary: {@code SOURCE}; {@code NONE} otherwise
 * @param error                  why replication failed (naming table and column where it can), or null
 * @param snapshotTablesDone     tables completely copied by the running snapshot
 * @param snapshotTablesTotal    tables the snapshot copies (0 when no snapshot ran in this stream)
 * @param snapshotRows           rows copied so far
 * @param snapshotRowsPerSecond  copy rate
 * @param slotRetainedBytes      on a primary: the most WAL any secondary's slot holds back, in bytes (-1 unknown)
 * @param syncMode               {@code async} or {@code sync}
 * @param alarms                 conditions an operator must look at, e.g. {@code slot_lagging: understudy_b holds 2 GB}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ReplicationInfo(String state, String error, int snapshotTablesDone, int snapshotTablesTotal, long snapshotRows,
                              long snapshotRowsPerSecond, long slotRetainedBytes, String syncMode, List<String> alarms) {

    public static final ReplicationInfo NONE = new ReplicationInfo("NONE", null, 0, 0, 0, 0, -1, "async", List.of());

    public ReplicationInfo {
        state = state == null ? "NONE" : state;
        alarms = alarms == null ? List.of() : List.copyOf(alarms);
    }
}
