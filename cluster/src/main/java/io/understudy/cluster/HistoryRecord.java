package io.understudy.cluster;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * One entry under {@code /history/}: a role change of the cluster, for status pages and reports.
 *
 * @param type           what happened
 * @param nodeId         the node it happened to (the new primary for promotions)
 * @param previousNodeId the previous primary, when there was one
 * @param epoch          the epoch after the event
 * @param atMs           wall-clock time, for humans only
 * @param reason         why, in words an operator can act on
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record HistoryRecord(Type type, String nodeId, String previousNodeId, long epoch, long atMs, String reason) {

    public enum Type {
        /** First primary of an empty cluster (epoch 1). */
        BOOTSTRAP,
        /** A secondary took over after the primary was lost. */
        PROMOTION,
        /** A primary gave up its role. */
        DEMOTION,
        /** A planned hand-over to a named node. */
        SWITCHOVER,
        /** A forced failover requested by a drill. */
        DRILL,
        /** An old primary came back as a secondary (possibly after a resync). */
        REJOIN,
        /** An operator command was carried out or refused; the reason says which and why. */
        COMMAND,
        /** A node joined the cluster for the first time (or again, after it was readmitted). */
        MEMBER_ADDED,
        /** A node was decommissioned: its slot and publication were dropped and it may not rejoin until readmitted. */
        MEMBER_REMOVED
    }
}
