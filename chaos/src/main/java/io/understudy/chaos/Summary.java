package io.understudy.chaos;

import io.understudy.workload.CheckReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The run's results as markdown: one row per fault type, a total, and the final check. Pure. */
public final class Summary {

    private Summary() {
    }

    public static String table(List<CycleRecord> cycles) {
        Map<String, List<CycleRecord>> byFault = new TreeMap<>();
        cycles.forEach(c -> byFault.computeIfAbsent(c.fault(), f -> new ArrayList<>()).add(c));
        StringBuilder out = new StringBuilder();
        out.append("| fault | cycles | failovers | write gap p50 ms | write gap max ms | failed requests by class | acked | lost"
                + " | duplicates | violations |\n");
        out.append("|---|---:|---:|---:|---:|---|---:|---:|---:|---:|\n");
        byFault.forEach((fault, list) -> out.append(row(fault, list)));
        if (byFault.size() > 1) {
            out.append(row("**all**", cycles));
        }
        return out.toString();
    }

    private static String row(String fault, List<CycleRecord> list) {
        List<Long> gaps = list.stream().map(CycleRecord::writeGapMs).sorted().toList();
        Map<String, Long> failures = new TreeMap<>();
        list.forEach(c -> c.failures().forEach((k, v) -> failures.merge(k, v, Long::sum)));
        String failed = failures.isEmpty() ? "-" : String.join(", ",
                failures.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList());
        return String.format("| %s | %d | %d | %d | %d | %s | %d | %d | %d | %d |%n", fault, list.size(),
                list.stream().filter(CycleRecord::failover).count(), percentile(gaps, 50), gaps.isEmpty() ? 0 : gaps.get(gaps.size() - 1),
                failed, list.stream().mapToInt(CycleRecord::acked).sum(), list.stream().mapToInt(CycleRecord::lost).sum(),
                list.stream().mapToInt(CycleRecord::duplicates).sum(), list.stream().mapToInt(c -> c.violations().size()).sum());
    }

    /** Nearest-rank percentile of sorted values; 0 when empty. */
    static long percentile(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    /** The final check as a few markdown lines. */
    public static String finalCheck(CheckReport report) {
        Map<String, Object> lines = new LinkedHashMap<>();
        lines.put("acknowledged writes checked on every node", report.acked());
        lines.put("lost (most on any node)", report.lostCount());
        lines.put("wrong body", report.wrongBody().values().stream().mapToInt(List::size).sum());
        lines.put("applied twice", report.duplicates().size());
        lines.put("epochs served by two nodes", report.epochConflicts().size());
        lines.put("acked in a superseded epoch", report.staleAcks().size());
        lines.put("failed requests by class", report.failures());
        StringBuilder out = new StringBuilder();
        lines.forEach((k, v) -> out.append("- ").append(k).append(": ").append(v).append('\n'));
        report.violations().forEach(v -> out.append("- **VIOLATION** ").append(v).append('\n'));
        return out.toString();
    }
}
