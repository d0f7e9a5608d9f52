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
 * @param candidacy whether the node may become primary now, and its tags ({@link Candidacy#UNKNOWN} when not given,
 *                  e.g. in a record written by an older version: never deferred to)
 * @param appUrl    the advertised URL of the node's application gateway; null when it fronts no application (and in
 *                  records written before gateways existed)
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
        ReplicationInfo replication,
        Candidacy candidacy,
        String appUrl) {

    /**
     * What a node says about its own chance of becoming primary, so that other candidates and the
     * switch can see it (the decision itself is the node's own, in its role machine).
     *
     * @param eligible   the node stands in the election now
     * @param reason     why it is or is not eligible, e.g. {@code lag 5242880 bytes > maxLagOnFailover 1048576}
     * @param priority   tag {@code tags.priority}: higher is preferred; 0 never promotes automatically
     * @param nofailover tag {@code tags.nofailover}: the node never becomes primary
     * @param position   source position up to which this node holds everything its primary committed (applied
     *                   transactions and processed heartbeats); what candidates are ranked by; 0 when none
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Candidacy(boolean eligible, String reason, int priority, boolean nofailover, long position) {

        public static final int DEFAULT_PRIORITY = 100;

        public static final Candidacy UNKNOWN = new Candidacy(false, "not published", DEFAULT_PRIORITY, false, 0);

        public Candidacy {
            reason = reason == null ? "" : reason;
        }
    }

    public MemberRecord {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(role, "role");
        replication = replication == null ? ReplicationInfo.NONE : replication;
        candidacy = candidacy == null ? Candidacy.UNKNOWN : candidacy;
    }

    /** A record of a node without an application gateway. */
    public MemberRecord(String nodeId, String apiUrl, String dbAddress, Role role, long epoch, long position, long lagMs,
                        boolean healthy, String version, long updatedAtMs, ReplicationInfo replication, Candidacy candidacy) {
        this(nodeId, apiUrl, dbAddress, role, epoch, position, lagMs, healthy, version, updatedAtMs, replication, candidacy,
                null);
    }

    /** A record without candidacy. */
    public MemberRecord(String nodeId, String apiUrl, String dbAddress, Role role, long epoch, long position, long lagMs,
                        boolean healthy, String version, long updatedAtMs, ReplicationInfo replication) {
        this(nodeId, apiUrl, dbAddress, role, epoch, position, lagMs, healthy, version, updatedAtMs, replication,
                Candidacy.UNKNOWN, null);
    }

    /** A record without replication details or candidacy. */
    public MemberRecord(String nodeId, String apiUrl, String dbAddress, Role role, long epoch, long position, long lagMs,
                        boolean healthy, String version, long updatedAtMs) {
        this(nodeId, apiUrl, dbAddress, role, epoch, position, lagMs, healthy, version, updatedAtMs, ReplicationInfo.NONE,
                Candidacy.UNKNOWN, null);
    }
}
