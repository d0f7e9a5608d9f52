package io.understudy.launcher.cli.drill;

import io.understudy.failoverswitch.admin.StatusReport;
import io.understudy.workload.CheckReport;
import io.understudy.workload.HistoryChecker;
import io.understudy.workload.NodeObjects;
import io.understudy.workload.Op;
import io.understudy.workload.Stored;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks every acknowledged write of a drill on every node that can be read: the live primary and
 * each healthy, streaming secondary, each through its own API. A secondary still applying the last
 * writes is given time to catch up with the primary; what the primary itself lacks is lost.
 */
final class WriteCheck {

    private static final Duration POLL = Duration.ofMillis(500);

    /** @param lostWrites missing on the checked node that lacks the most; -1 when no node could be checked */
    record Result(List<DrillReport.NodeCheck> nodes, CheckReport report, long lostWrites) {
    }

    private WriteCheck() {
    }

    /**
     * @param known  every node the drill saw before the fault, so one that is gone is reported as not checked
     * @param settle how long secondaries may take to catch up with the primary
     */
    static Result run(List<Op> ops, StatusReport after, Set<String> known, String prefix, Duration settle,
                      NodeObjects objects) throws InterruptedException {
        String primary = after.primary() != null && after.primary().live() ? after.primary().nodeId() : null;
        Map<String, StatusReport.Member> readable = new TreeMap<>();
        Map<String, String> unreadable = new TreeMap<>();
        for (StatusReport.Member m : after.members()) {
            if (m.nodeId().equals(primary) || RejoinWatch.streamingSecondary(m)) {
                readable.put(m.nodeId(), m);
            } else {
                unreadable.put(m.nodeId(), m.role() + (m.healthy() ? "" : ", unhealthy") + ", replication "
                        + (m.replication() == null ? "NONE" : m.replication().state()) + ": not a copy to check");
            }
        }
        for (String node : known) {
            if (after.members().stream().noneMatch(m -> m.nodeId().equals(node))) {
                unreadable.put(node, "not a member at the end of the drill (down, or its session ended)");
            }
        }
        long deadline = System.nanoTime() + settle.toNanos();
        Map<String, Map<String, Stored>> held;
        Map<String, String> failed;
        CheckReport report;
        while (true) {
            held = new LinkedHashMap<>();
            failed = new TreeMap<>();
            for (StatusReport.Member m : readable.values()) {
                try {
                    held.put(m.nodeId(), objects.list(m.apiUrl(), prefix, null));
                } catch (IOException e) {
                    failed.put(m.nodeId(), "did not list its objects: " + e.getMessage());
                }
            }
            report = HistoryChecker.check(ops, held);
            if (failed.isEmpty() && converged(report, primary) || System.nanoTime() - deadline > 0) {
                break;
            }
            Thread.sleep(POLL.toMillis()); // polling while the secondaries apply the last writes
        }
        List<DrillReport.NodeCheck> nodes = new ArrayList<>();
        long lost = -1;
        for (Map.Entry<String, Map<String, Stored>> node : held.entrySet()) {
            List<String> missing = report.lost().getOrDefault(node.getKey(), List.of());
            lost = Math.max(lost, missing.size());
            StatusReport.Member m = readable.get(node.getKey());
            nodes.add(new DrillReport.NodeCheck(m.nodeId(), m.apiUrl(), m.role().name(), true, node.getValue().size(),
                    missing.size(), report.wrongBody().getOrDefault(m.nodeId(), List.of()).size(),
                    missing.isEmpty() ? "holds every acknowledged write" : "lacks " + missing.size() + " acknowledged writes",
                    missing.subList(0, Math.min(5, missing.size()))));
        }
        failed.forEach(unreadable::put);
        unreadable.forEach((node, why) -> nodes.add(new DrillReport.NodeCheck(node, readable.containsKey(node)
                ? readable.get(node).apiUrl() : null, roleOf(after, node), false, 0, 0, 0, why, List.of())));
        nodes.sort(java.util.Comparator.comparing(DrillReport.NodeCheck::nodeId));
        return new Result(nodes, report, lost);
    }

    /** Every secondary holds at least what the primary holds of the acknowledged writes. */
    static boolean converged(CheckReport report, String primary) {
        Set<String> primaryLacks = new HashSet<>(primary == null ? List.of() : report.lost().getOrDefault(primary, List.of()));
        return report.lost().entrySet().stream().allMatch(e -> primaryLacks.containsAll(e.getValue()))
                && report.wrongBody().values().stream().allMatch(List::isEmpty);
    }

    private static String roleOf(StatusReport after, String node) {
        return after.members().stream().filter(m -> m.nodeId().equals(node)).map(m -> m.role().name()).findFirst().orElse("-");
    }
}
