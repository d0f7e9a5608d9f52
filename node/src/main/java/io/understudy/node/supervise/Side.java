package io.understudy.node.supervise;

import io.understudy.cluster.Role;

/**
 * Which side of the cluster a role puts the node on, for what runs beside it: hooks fire, and a
 * {@code runOn=primary} application starts or stops, when the side changes, not on every role change.
 */
public enum Side {
    /** Not placed yet ({@link Role#STARTING}): nothing runs. */
    NONE,
    /** {@link Role#PRIMARY}: holds the epoch and the open write gate. */
    PRIMARY,
    /** Any role that does not accept writes once placed: SECONDARY, DEMOTED, RESYNCING. */
    STANDBY;

    public static Side of(Role role) {
        return switch (role) {
            case STARTING -> NONE;
            case PRIMARY -> PRIMARY;
            case SECONDARY, DEMOTED, RESYNCING -> STANDBY;
        };
    }
}
