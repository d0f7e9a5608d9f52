package io.understudy.cluster;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Objects;

/**
 * A node's place in the cluster's roster: the persistent {@code /roster/<nodeId>} znode, which outlives the node's
 * process (unlike {@code /members/<nodeId>}), so the cluster knows its nodes while they are down. A node creates its
 * entry when it first joins; a removal turns it to {@link State#REMOVED}, and a node whose entry says so does not
 * start or serve until an operator readmits it (which deletes the entry). See docs/membership.md.
 *
 * @param nodeId  the node
 * @param state   member or removed
 * @param sinceMs wall-clock time of the last change, for humans only
 * @param reason  why (e.g. {@code removed by command 3f2e...: host decommissioned})
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RosterEntry(String nodeId, State state, long sinceMs, String reason) {

    public enum State {
        /** Part of the cluster, running or not. */
        MEMBER,
        /** Decommissioned: its slot and publication are gone, and it may not rejoin until readmitted. */
        REMOVED
    }

    public RosterEntry {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(state, "state");
        reason = reason == null ? "" : reason;
    }

    public boolean removed() {
        return state == State.REMOVED;
    }
}
