package io.understudy.cluster;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One entry under {@code /history/}: a role change, an operator command, a change of the cluster-wide
 * settings, a finished drill or a duty run, for status pages and reports.
 *
 * @param type           what happened
 * @param nodeId         the node it happened to (the new primary for promotions, the running node for duties)
 * @param previousNodeId the previous primary, when there was one
 * @param epoch          the epoch after the event (for duties: the epoch the run was fenced by)
 * @param atMs           wall-clock time, for humans only
 * @param reason         why, in words an operator can act on
 * @param duty           the run, for {@link Type#DUTY_STARTED} and {@link Type#DUTY_ENDED} only; absent otherwise
 * @param drill          for {@link Type#DRILL_REPORT}: the drill's figures; absent otherwise
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record HistoryRecord(Type type, String nodeId, String previousNodeId, long epoch, long atMs, String reason,
                            @JsonInclude(JsonInclude.Include.NON_NULL) DutyRun duty,
                            @JsonInclude(JsonInclude.Include.NON_NULL) DrillSummary drill) {

    /** A record of anything but a duty run or a drill report. */
    public HistoryRecord(Type type, String nodeId, String previousNodeId, long epoch, long atMs, String reason) {
        this(type, nodeId, previousNodeId, epoch, atMs, reason, null, null);
    }

    /** A duty run's start or end. */
    public static HistoryRecord ofDuty(Type type, String nodeId, long epoch, long atMs, String reason, DutyRun duty) {
        return new HistoryRecord(type, nodeId, null, epoch, atMs, reason, duty, null);
    }

    /** A finished drill against primary {@code nodeId}. */
    public static HistoryRecord ofDrill(String nodeId, long epoch, long atMs, String reason, DrillSummary drill) {
        return new HistoryRecord(Type.DRILL_REPORT, nodeId, null, epoch, atMs, reason, null, drill);
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
        /** The primary started a run of a scheduled duty, recorded before the duty's process starts. */
        DUTY_STARTED,
        /** A duty run ended: exit code, outcome and duration are in {@link #duty()}. */
        DUTY_ENDED,
        /** A node joined the cluster for the first time (or again, after it was readmitted). */
        MEMBER_ADDED,
        /** A node was decommissioned: its slot and publication were dropped and it may not rejoin until readmitted. */
        MEMBER_REMOVED,
        /** Cluster-wide settings in {@code /config} changed; the reason says which, from what, to what, and who asked. */
        CONFIG,
        /** A DR drill finished; {@code drill} holds its figures, {@code nodeId} the primary it was run against. */
        DRILL_REPORT
    }
}
