package io.understudy.failoverswitch.routing;

import io.understudy.cluster.ClusterView;
import io.understudy.cluster.CommandRecord;
import io.understudy.cluster.FailoverOutlook;
import io.understudy.cluster.MemberRecord;
import io.understudy.cluster.PrimaryRecord;
import io.understudy.cluster.QueuedCommand;
import io.understudy.cluster.Role;
import io.understudy.failoverswitch.routing.RouteDecision.NoPrimary;
import io.understudy.failoverswitch.routing.RouteDecision.Route;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;

/**
 * Decides where client traffic goes, from one cluster view and the state of the ZooKeeper link.
 * Pure: no I/O, no clock, no state.
 *
 * <p>The switch routes to {@link ClusterView#livePrimary()}: the node named in {@code /primary} while
 * its own member znode says it is PRIMARY in that record's epoch; and to a node that is being
 * promoted: named in {@code /primary} while its member still says SECONDARY in an older epoch. Such
 * a node wrote that record itself, a moment before opening its write gate, and holds requests
 * stamped for the new epoch until the gate opens (or refuses them as any node does, should the
 * promotion fail), so the route moves at the record, not one ZooKeeper write later at the member.
 * A record whose owner has no ephemeral member znode names a dead or partitioned node; one whose
 * member says DEMOTED, STARTING or PRIMARY in an older epoch has closed its write gate or is not
 * opening it. While the ZooKeeper link is merely suspended the last view still
 * routes, because the primary fences itself (it closes its write gate on its own suspension and
 * refuses requests stamped with another epoch); once the switch's session is lost its view may
 * be arbitrarily old, so it holds instead of guessing.
 *
 * <p>Traffic goes to the primary's application gateway ({@code appUrl}) when the primary fronts an
 * application, else to its built-in API ({@code apiUrl}); the gateway refuses in the same words as
 * the API, so holding and retrying work the same for both.
 */
public final class RouteDecider {

    private RouteDecider() {
    }

    public static RouteDecision decide(ClusterView view, ZkLink link) {
        return switch (link) {
            case CONNECTING -> new NoPrimary("not connected to ZooKeeper yet");
            case LOST -> new NoPrimary("ZooKeeper session lost; waiting for a fresh view");
            case CONNECTED, SUSPENDED -> decide(view);
        };
    }

    /**
     * {@code decision}, with the reason nobody takes over appended when there is no live primary
     * and no member is eligible ({@link FailoverOutlook}): that reason reaches the 503 body and the
     * log. Not with a lost or missing ZooKeeper link, whose view may be arbitrarily old.
     */
    public static RouteDecision explained(RouteDecision decision, ClusterView view, ZkLink link) {
        if (!(decision instanceof NoPrimary) || view.primary().isEmpty()
                || (link != ZkLink.CONNECTED && link != ZkLink.SUSPENDED)) {
            return decision;
        }
        String blocked = FailoverOutlook.of(view).blocked();
        return blocked == null ? decision : new NoPrimary(decision.reason() + "; " + blocked);
    }

    /**
     * Whether the live primary is about to hand its role over: the next command in {@code view} is a
     * switchover or a failover drill for its epoch. Such a primary shuts its write gate for good, so
     * a request it refuses waits for the next epoch's primary instead of trying it again.
     */
    public static boolean handOverPending(ClusterView view) {
        Optional<PrimaryRecord> live = view.livePrimary();
        Optional<QueuedCommand> next = view.nextCommand();
        if (live.isEmpty() || next.isEmpty()) {
            return false;
        }
        CommandRecord command = next.get().command();
        return (command.type() == CommandRecord.Type.SWITCHOVER || command.type() == CommandRecord.Type.FAILOVER)
                && (command.expectedEpoch() == 0 || command.expectedEpoch() == live.get().epoch())
                && !live.get().nodeId().equals(command.targetNodeId());
    }

    static RouteDecision decide(ClusterView view) {
        Optional<PrimaryRecord> record = view.primary();
        if (record.isEmpty()) {
            return new NoPrimary("no /primary record");
        }
        PrimaryRecord primary = record.get();
        String label = primary.nodeId() + "@" + primary.epoch();
        Optional<MemberRecord> member = view.member(primary.nodeId());
        boolean live = view.livePrimary().isPresent();
        Optional<MemberRecord> promoting = live ? Optional.empty() : member.filter(m -> isBeingPromoted(m, primary));
        if (!live && promoting.isEmpty()) {
            return new NoPrimary("primary " + label + member
                    .map(m -> " is registered as " + m.role() + " in epoch " + m.epoch() + ", not as its primary")
                    .orElse(" is not registered under /members"));
        }
        String appUrl = either(primary.appUrl(), member.map(MemberRecord::appUrl).orElse(null));
        boolean app = !isBlank(appUrl);
        String url = app ? appUrl : either(primary.apiUrl(), member.map(MemberRecord::apiUrl).orElse(null));
        Optional<URI> target = parseTarget(url);
        if (target.isEmpty()) {
            return new NoPrimary("primary " + label + " has no usable " + (app ? "appUrl" : "apiUrl") + ": '" + url + "'");
        }
        String why = promoting.map(m -> " holds /primary and is being promoted (its member still says SECONDARY in epoch "
                + m.epoch() + "; it holds requests until its write gate opens)")
                .orElse(" holds /primary and its member says PRIMARY in that epoch");
        return new Route(primary.nodeId(), target.get(), primary.epoch(),
                label + why + (app ? "; traffic goes to its application gateway" : ""));
    }

    /** The secondary wrote {@code /primary} for a newer epoch than the one it follows: it is opening its write gate. */
    private static boolean isBeingPromoted(MemberRecord member, PrimaryRecord primary) {
        return member.role() == Role.SECONDARY && member.epoch() < primary.epoch();
    }

    /** The {@code /primary} record's value, or the member record's for a record written without one. */
    private static String either(String fromPrimaryRecord, String fromMemberRecord) {
        return isBlank(fromPrimaryRecord) ? fromMemberRecord : fromPrimaryRecord;
    }

    /** An absolute http URL with a host; no port means 80 (https backends are not supported yet). */
    static Optional<URI> parseTarget(String url) {
        if (isBlank(url)) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(url.trim());
            if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null
                    || uri.getQuery() != null || uri.getFragment() != null) {
                return Optional.empty();
            }
            String path = uri.getPath() == null ? "" : uri.getPath().replaceAll("/+$", "");
            return Optional.of(new URI("http", null, uri.getHost(), uri.getPort() < 0 ? 80 : uri.getPort(), path, null, null));
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
