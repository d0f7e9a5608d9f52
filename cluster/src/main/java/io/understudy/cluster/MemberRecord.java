package io.understudy.cluster;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Objects;

/**
 * What a node publishes about itself in its ephemeral {@code /members/<nodeId>} znode.
 *
 * @param nodeId    stable node identifier
 * @param apiUrl    base URL of the node's HTTP API, e.g. {@code http://127.0.0.1:8081}
 * @param dbAddress {@code host:port/database} of the node's own PostgreSQL (no credentials)
 * @param role      current role
 * @param epoch     the epoch the node last saw in {@code /primary} (0 if none)
 * @param position  on a primary: its current WAL position; on a secondary: the source commit
 *                  position it last applied ({@link Lsn} as a long; 0 if none)
 * @param lagMs     commit-on-primary to applied-here lag in ms; -1 when unknown or not a secondary
 * @param healthy   whether the node considers itself able to serve its role
 * @param version   the node's software version (for rolling upgrades)
 * @param updatedAtMs wall-clock time the record was written, for humans only
 * @param replication replication state, progress and alarms ({@link ReplicationInfo#NONE} when not given)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record MemberRecord(
        String nodeId,
        String apiUrl,
        String dbAddress,
        Role role,
        long epoch,
        long position,
        long lagMs,
        boolean healthy,
        String version,
        long updatedAtMs,
        ReplicationInfo replication) {

    public MemberRecord {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(role, "role");
        replication = replication == null ? ReplicationInfo.NONE : replication;
    }

    /** A record without replication details. */
    public MemberRecord(String nodeId, String apiUrl, String dbAddress, Role role, long epoch, long position, long lagMs,
                        boolean healthy, String version, long updatedAtMs) {
        this(nodeId, apiUrl, dbAddress, role, epoch, position, lagMs, healthy, version, updatedAtMs, ReplicationInfo.NONE);
    }
}
