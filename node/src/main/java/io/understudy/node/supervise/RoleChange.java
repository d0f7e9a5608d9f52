package io.understudy.node.supervise;

import io.understudy.cluster.Role;

/**
 * The node moved from one role to another.
 *
 * @param epoch  the epoch the node acts in after the change (the one it holds as primary or demoted primary,
 *               else the cluster's)
 * @param reason the decision's reason, as logged
 */
public record RoleChange(Role from, Role to, long epoch, String reason) {

    /** Receives role changes on the node's event thread: must record or enqueue and return at once. */
    @FunctionalInterface
    public interface Observer {
        void roleChanged(RoleChange change);
    }
}
