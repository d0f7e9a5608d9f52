package io.understudy.node;

import io.understudy.cluster.ClusterView;
import io.understudy.cluster.PrimaryRecord;
import io.understudy.cluster.Role;
import io.understudy.node.role.Eligibility;
import io.understudy.node.role.RejoinState;
import io.understudy.node.role.ZkLink;

/**
 * Where the node stands, as {@link NodeController}, {@link Transitions} and {@link MemberPublisher} share it.
 * Only the event thread writes these fields; the volatile ones are volatile only so that status reads
 * from HTTP threads see fresh values.
 */
final class ControllerState {

    volatile Role role = Role.STARTING;
    volatile long heldEpoch;
    volatile ClusterView view = ClusterView.EMPTY;
    volatile Eligibility eligibility = new Eligibility(false, "starting");
    /** The record this node wrote when it promoted, until its own view has shown it once. */
    PrimaryRecord unseenOwnRecord;
    /**
     * Znodes of commands this node removed from {@code /commands}, until its view stops listing them: a view that
     * still shows a command this node carried out would have it acted on again (and refused, logged, as stale).
     */
    final java.util.Set<String> completedCommands = new java.util.HashSet<>();
    ZkLink link = ZkLink.SUSPENDED;
    RejoinState rejoin = RejoinState.NONE;

    /** The epoch this node acts in: the one it holds as (demoted) primary, else the cluster's. Any thread. */
    long epoch() {
        return role == Role.PRIMARY || role == Role.DEMOTED ? heldEpoch : view.epoch();
    }
}
