package io.understudy.cluster;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Objects;

/**
 * An operator request, written by a failover switch's admin API (or any tool) as a persistent
 * sequential znode {@code /commands/command-NNNNNNNNNN} ({@code ZkPaths.commandEntry()}).
 *
 * <p>Contract for the nodes that act on commands:
 * <ul>
 *   <li>Commands are handled in znode sequence order. The node that handles one deletes its znode
 *       when done (or when it refuses it), and records the outcome under {@code /history/} with the
 *       command's {@code id} in the reason; a command is never handled twice.</li>
 *   <li>{@code expectedEpoch} fences stale requests: a SWITCHOVER or FAILOVER whose
 *       {@code expectedEpoch} is not the current {@code /primary} epoch is refused (the cluster
 *       changed since the operator looked). 0 means "whatever is current".</li>
 *   <li>SWITCHOVER to {@code targetNodeId}: the current primary closes its write gate, the target
 *       drains and promotes with epoch+1; refused if the target is not an eligible secondary.</li>
 *   <li>FAILOVER (drill): the current primary demotes at once, as if it were lost; the best
 *       eligible secondary (or {@code targetNodeId}, when set) promotes.</li>
 *   <li>PAUSE / RESUME: automatic failover is disabled / enabled again cluster-wide; a paused
 *       cluster still obeys SWITCHOVER and FAILOVER.</li>
 *   <li>REMOVE_MEMBER {@code targetNodeId}: the live primary decommissions the node (docs/membership.md): takes it
 *       out of the synchronous standbys, marks it removed in {@code /roster}, drops its slot and publication at
 *       once; refused for the primary itself, below two nodes, or for the last synchronous standby.</li>
 * </ul>
 * The writer validates only the shape (a known target for SWITCHOVER); the nodes decide.
 *
 * @param id            unique id chosen by the writer, echoed to the operator and in history
 * @param type          what is requested
 * @param targetNodeId  the node to promote (required for SWITCHOVER, optional for FAILOVER), or to remove (required
 *                      for REMOVE_MEMBER), else null
 * @param expectedEpoch the {@code /primary} epoch the operator saw, or 0
 * @param requestedBy   who asked (e.g. {@code switch@host:port} and the client address), for audit
 * @param requestedAtMs wall-clock time of the request, for humans only
 * @param reason        free text from the operator
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CommandRecord(
        String id,
        Type type,
        String targetNodeId,
        long expectedEpoch,
        String requestedBy,
        long requestedAtMs,
        String reason) {

    public CommandRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        if ((type == Type.SWITCHOVER || type == Type.REMOVE_MEMBER) && (targetNodeId == null || targetNodeId.isBlank())) {
            throw new IllegalArgumentException("a " + type + " needs a targetNodeId");
        }
        if (expectedEpoch < 0) {
            throw new IllegalArgumentException("expectedEpoch must be >= 0, got " + expectedEpoch);
        }
    }

    public enum Type {
        /** Planned hand-over of the primary role to {@code targetNodeId}. */
        SWITCHOVER,
        /** Forced failover for a drill: the primary is demoted as if it had been lost. */
        FAILOVER,
        /** Disable automatic failover (planned maintenance). */
        PAUSE,
        /** Enable automatic failover again. */
        RESUME,
        /** Decommission {@code targetNodeId}: drop its slot and publication now; it may not rejoin until readmitted. */
        REMOVE_MEMBER
    }
}
