package io.understudy.failoverswitch.routing;

import java.net.URI;
import java.util.Objects;

/** What the switch does with client traffic for one cluster view: forward it, or hold it. */
public sealed interface RouteDecision permits RouteDecision.Route, RouteDecision.NoPrimary {

    /** Why, in words an operator can act on; logged with every change. */
    String reason();

    /**
     * Forward to {@code target}, stamping {@code epoch} on every request.
     *
     * @param nodeId the primary
     * @param target the primary's API base URL
     * @param epoch  the epoch of the {@code /primary} record that named it
     */
    record Route(String nodeId, URI target, long epoch, String reason) implements RouteDecision {

        public Route {
            Objects.requireNonNull(nodeId, "nodeId");
            Objects.requireNonNull(target, "target");
        }

        /** Same backend and epoch: reasons and other fields do not matter for routing. */
        public boolean sameTarget(Route other) {
            return other != null && nodeId.equals(other.nodeId) && target.equals(other.target) && epoch == other.epoch;
        }

        /** {@code nodeId@epoch}, the form every log line uses. */
        public String label() {
            return nodeId + "@" + epoch;
        }
    }

    /** There is no primary the switch may send traffic to: hold requests, then answer 503. */
    record NoPrimary(String reason) implements RouteDecision {
    }
}
