package io.understudy.cluster;

import java.util.List;
import java.util.Optional;

/**
 * When a node may be removed from the cluster (docs/membership.md). Pure; the primary decides with it when it carries
 * out a {@code REMOVE_MEMBER} command, and a switch answers with it before it writes one. Refused: the primary itself
 * (a switchover must move the role first), a node the cluster does not know, leaving fewer than {@link #MIN_NODES}
 * nodes, and the last synchronous standby (it alone may hold acknowledged writes).
 */
public final class MemberRemoval {

    /** A failover needs a secondary. */
    public static final int MIN_NODES = 2;

    /** Why a removal is refused: a short code for APIs and the reason in words. */
    public record Refusal(String code, String message) {
    }

    private MemberRemoval() {
    }

    /**
     * Why {@code target} may not be removed from the cluster seen in {@code view} (whose primary is {@code primary}),
     * if so. A node removed before is no problem: removing it again does nothing.
     */
    public static Optional<Refusal> problem(ClusterView view, String primary, String target) {
        if (target.equals(primary)) {
            return Optional.of(new Refusal("is_primary", target + " is the primary; switch over to another node first"));
        }
        if (view.removed(target)) {
            return Optional.empty();
        }
        List<String> nodes = view.nodes();
        if (!nodes.contains(target)) {
            return Optional.of(new Refusal("unknown_node", target + " is not a node of the cluster (nodes: " + nodes + ")"));
        }
        if (nodes.size() - 1 < MIN_NODES) {
            return Optional.of(new Refusal("too_few_nodes", "removing " + target + " would leave " + (nodes.size() - 1)
                    + " node; the cluster keeps at least " + MIN_NODES));
        }
        if (view.syncStandbysOfPrimary().equals(List.of(target))) {
            return Optional.of(new Refusal("only_sync_standby", target + " is the only synchronous standby and may alone hold"
                    + " acknowledged writes; remove it once another secondary has caught up and joined the standbys (/sync)"));
        }
        return Optional.empty();
    }
}
