package io.understudy.cluster;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One entry under {@code /history/}: a role change, an operator command, a change of the cluster-wide
 * settings or a finished drill, for status pages and reports.
 *
 * @param type           what happened
 * @param nodeId         the node it happened to (the new primary for promotions)
 * @param previousNodeId the previous primary, when there was one
 * @param epoch          the epoch after the event
 * @param atMs           wall-clock time, for humans only
 * @param reason         why, in words an operator can act on
 * @param drill          for {@link Type#DRILL_REPORT}: the drill's figures; null otherwise
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record HistoryRecord(Type type, String nodeId, String previousNodeId, long epoch, long atMs, String reason,
                            @JsonInclude(JsonInclude.Include.NON_NULL) DrillSummary drill) {

    /** A record of anything but a drill report. */
    public HistoryRecord(Type type, String nodeId, String previousNodeId, long epoch, long atMs, String reason) {
        this(type, nodeId, previousNodeId, epoch, atMs, reason, null);
    }

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
        /** Cluster-wide settings in {@code /config} changed; the reason says which, from what, to what, and who asked. */
        CONFIG,
        /** A DR drill finished; {@code drill} holds its figures, {@code nodeId} the primary it was run against. */
        DRILL_REPORT
    }
}
