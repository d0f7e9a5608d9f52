package io.understudy.failoverswitch.admin;

import io.understudy.cluster.ClusterSettings;
import io.understudy.cluster.ClusterView;
import io.understudy.cluster.FailoverOutlook;
import io.understudy.cluster.HistoryRecord;
import io.understudy.cluster.MemberRecord;
import io.understudy.cluster.PrimaryRecord;
import io.understudy.cluster.ReplicationInfo;
import io.understudy.cluster.Role;
import io.understudy.failoverswitch.routing.RouteDecision;
import io.understudy.failoverswitch.routing.RouteDecision.Route;
import io.understudy.failoverswitch.routing.ZkLink;
import java.util.List;

/**
 * The body of {@code GET /_understudy/status}: the cluster as this switch sees it, and what the
 * switch does with traffic. Built from plain values (pure), serialised as JSON.
 *
 * @param cluster the cluster name
 * @param primary the {@code /primary} record, or null when there is none
 * @param members every registered member, by node id
 * @param route   where this switch sends traffic now
 * @param history the newest {@code /history} entries, newest first
 * @param failover who could take over now, and why nobody can when the primary is gone
 * @param settings the cluster-wide settings in {@code /config}: whether automatic failover is paused, and why
 */
public record StatusReport(String cluster, Primary primary, List<Member> members, SwitchState route,
        List<HistoryRecord> history, FailoverOutlook failover, ClusterSettings settings) {

    /** The {@code /primary} record; {@code live} = its node is registered under {@code /members}. */
    public record Primary(String nodeId, long epoch, String apiUrl, boolean live) {
    }

    /**
     * One member; {@code eligible} and {@code eligibility} are its own verdict on becoming primary and
     * why (e.g. {@code tags.nofailover is set}), {@code priority} and {@code nofailover} its tags.
     * {@code lagBytes} is how far a secondary's held position is behind the live primary's published
     * WAL position (-1 when unknown or not a secondary); {@code version} its software version.
     */
    public record Member(String nodeId, Role role, String apiUrl, boolean healthy, long lagMs, long epoch,
                         ReplicationInfo replication, boolean eligible, String eligibility, int priority,
                         boolean nofailover, long lagBytes, String version) {
    }

    /**
     * @param zookeeper    the state of this switch's ZooKeeper link
     * @param nodeId       the node traffic goes to, or null while requests are held
     * @param epoch        the epoch stamped on forwarded requests (0 while held)
     * @param target       that node's API URL, or null
     * @param reason       why
     * @param heldRequests requests waiting for a primary right now
     */
    public record SwitchState(ZkLink zookeeper, String nodeId, long epoch, String target, String reason,
            int heldRequests) {
    }

    public static StatusReport of(String cluster, ClusterView view, ZkLink link, RouteDecision decision, int held,
            List<HistoryRecord> history) {
        Primary primary = view.primary().map(p -> primary(p, view)).orElse(null);
        long published = view.livePrimary().flatMap(p -> view.member(p.nodeId())).map(MemberRecord::position).orElse(0L);
        List<Member> members = view.members().stream().map(m -> member(m, published)).toList();
        SwitchState state = decision instanceof Route route
                ? new SwitchState(link, route.nodeId(), route.epoch(), route.target().toString(), route.reason(), held)
                : new SwitchState(link, null, 0, null, decision.reason(), held);
        return new StatusReport(cluster, primary, members, state, List.copyOf(history), FailoverOutlook.of(view),
                view.settings());
    }

    private static Primary primary(PrimaryRecord record, ClusterView view) {
        return new Primary(record.nodeId(), record.epoch(), record.apiUrl(), view.livePrimary().isPresent());
    }

    /** @param published the live primary's WAL position, 0 when there is none or it published none */
    private static Member member(MemberRecord m, long published) {
        MemberRecord.Candidacy c = m.candidacy();
        long held = Math.max(m.position(), c.position());
        long lagBytes = m.role() == Role.SECONDARY && published > 0 ? Math.max(0, published - held) : -1;
        return new Member(m.nodeId(), m.role(), m.apiUrl(), m.healthy(), m.lagMs(), m.epoch(), m.replication(),
                c.eligible(), c.reason(), c.priority(), c.nofailover(), lagBytes, m.version());
    }
}
