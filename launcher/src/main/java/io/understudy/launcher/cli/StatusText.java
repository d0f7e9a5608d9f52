package io.understudy.launcher.cli;

import io.understudy.cluster.ClusterSettings;
import io.understudy.cluster.ReplicationInfo;
import io.understudy.cluster.Role;
import io.understudy.failoverswitch.admin.StatusReport;
import java.util.ArrayList;
import java.util.List;

/** The cluster's status as {@code understudy status} prints it: one row per member, then what needs attention. Pure. */
public final class StatusText {

    private StatusText() {
    }

    public static String render(StatusReport status) {
        Table table = new Table("Cluster: " + status.cluster(), "Node", "Role", "Epoch", "Health", "Replication", "Lag ms",
                "Lag bytes", "Eligible", "Tags", "Why");
        for (StatusReport.Member m : status.members()) {
            table.row(m.nodeId() + (isPrimary(status, m) ? " *" : ""), m.role(), m.epoch(), m.healthy() ? "healthy" : "UNHEALTHY",
                    replication(m.replication()), m.role() == Role.SECONDARY && m.lagMs() >= 0 ? m.lagMs() : "-",
                    m.lagBytes() >= 0 ? m.lagBytes() : "-", m.eligible() ? "yes" : "no", tags(m), m.eligibility());
        }
        StringBuilder out = new StringBuilder(table.render());
        for (String line : notes(status)) {
            out.append(line).append('\n');
        }
        return out.toString();
    }

    private static boolean isPrimary(StatusReport status, StatusReport.Member m) {
        return status.primary() != null && status.primary().nodeId().equals(m.nodeId());
    }

    static String replication(ReplicationInfo r) {
        if (r == null || "NONE".equals(r.state())) {
            return "-";
        }
        return r.state() + (r.syncMode() == null ? "" : " (" + r.syncMode() + ")");
    }

    static String tags(StatusReport.Member m) {
        return "priority=" + m.priority() + (m.nofailover() ? ", nofailover" : "");
    }

    /** The lines under the table: primary and route, pause, a blocked failover, alarms, replication errors. */
    static List<String> notes(StatusReport status) {
        List<String> out = new ArrayList<>();
        StatusReport.Primary p = status.primary();
        String primary = p == null ? "none" : p.nodeId() + " (epoch " + p.epoch() + (p.live() ? "" : ", NOT LIVE") + ")";
        StatusReport.SwitchState route = status.route();
        String routing = route == null ? "" : route.nodeId() != null ? "; this switch routes to " + route.nodeId()
                : "; this switch holds requests (" + route.heldRequests() + " waiting): " + route.reason();
        out.add("Primary: " + primary + routing);
        ClusterSettings settings = status.settings();
        if (settings != null && settings.failoverPaused()) {
            out.add("Automatic failover: PAUSED" + (settings.pausedReason() == null ? "" : " (" + settings.pausedReason() + ")"));
        }
        if (status.failover() != null && status.failover().blocked() != null) {
            out.add("Failover blocked: " + status.failover().blocked());
        }
        for (StatusReport.Member m : status.members()) {
            ReplicationInfo r = m.replication();
            if (r != null && r.error() != null) {
                out.add("Replication error on " + m.nodeId() + ": " + r.error());
            }
            if (r != null) {
                r.alarms().forEach(alarm -> out.add("Alarm on " + m.nodeId() + ": " + alarm));
            }
        }
        return out;
    }
}
