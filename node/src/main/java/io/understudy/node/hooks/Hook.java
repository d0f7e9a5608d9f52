package io.understudy.node.hooks;

import io.understudy.cluster.Role;
import io.understudy.node.supervise.Side;
import java.util.Optional;

/** The role hooks, named as in their keys ({@code hooks.onPrimary} ...). */
public enum Hook {
    /** The node became primary: it holds the new epoch and its write gate is open. */
    ON_PRIMARY("onPrimary"),
    /** The node took its first role as a secondary, or stopped being primary (DEMOTED, then SECONDARY or RESYNCING). */
    ON_SECONDARY("onSecondary"),
    /** The node is stopping; runs after it has left the cluster. */
    ON_STOP("onStop");

    private final String key;

    Hook(String key) {
        this.key = key;
    }

    /** The name in its key and in {@code UNDERSTUDY_EVENT}. */
    public String key() {
        return key;
    }

    /**
     * The hook a role change fires, if any. Pure. A hook fires when the node's {@link Side} changes, once per
     * change: promotion fires onPrimary; the first placement as a secondary and the loss of the primary role fire
     * onSecondary; moves within a side (DEMOTED to SECONDARY, a resync) fire nothing.
     */
    public static Optional<Hook> firedBy(Role from, Role to) {
        Side before = Side.of(from);
        Side after = Side.of(to);
        if (after == before) {
            return Optional.empty();
        }
        return switch (after) {
            case PRIMARY -> Optional.of(ON_PRIMARY);
            case STANDBY -> Optional.of(ON_SECONDARY);
            case NONE -> Optional.empty();
        };
    }
}
