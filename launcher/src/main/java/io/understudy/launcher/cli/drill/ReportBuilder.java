package io.understudy.launcher.cli.drill;

import io.understudy.failoverswitch.admin.StatusReport;
import io.understudy.launcher.UnderstudyCli;
import io.understudy.workload.Op;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;

/** Turns what a drill did and saw into its report. Pure but for the version lookup. */
final class ReportBuilder {

    static final long BUCKET_MS = 100;

    private ReportBuilder() {
    }

    /** @param clusterSettings the cluster-wide settings read before the drill (empty when unreadable) */
    static DrillReport build(DrillPlan plan, String name, DrillRun.Outcome o, Map<String, Object> clusterSettings,
                             String requestLog) {
        long slow = plan.slow().toNanos();
        Figures figures = Figures.of(o.ops(), o.startNanos(), o.faultNanos(), o.endNanos(), slow);
        long epochBefore = o.before().primary().epoch();
        Long writesFlow = o.ops().stream().filter(op -> op.isWrite() && op.acked() && op.epoch() > epochBefore
                        && op.endNanos() > o.faultNanos())
                .map(op -> ms(op.endNanos(), o.startNanos())).min(Long::compare).orElse(null);
        boolean recovered = o.newPrimarySeenNanos() != null && writesFlow != null;
        StatusReport.Primary after = o.after().primary();
        boolean moved = after != null && after.live() && after.epoch() > epochBefore;
        DrillReport.Fault fault = new DrillReport.Fault(o.faultText(), o.before().primary().nodeId(), epochBefore,
                ms(o.faultNanos(), o.startNanos()), o.releasedNanos() == null ? null : ms(o.releasedNanos(), o.startNanos()),
                moved ? after.nodeId() : null, moved ? after.epoch() : epochBefore,
                o.newPrimarySeenNanos() == null ? null : ms(o.newPrimarySeenNanos(), o.startNanos()), writesFlow,
                o.oldPrimaryBack(), o.oldPrimaryNote());
        Verdict verdict = Verdict.of(recovered, figures.rtoMs(), o.check().lostWrites(),
                o.check().report().violationsBesidesLoss(), plan.maxRtoMs(), plan.maxLost());
        DrillReport.Plan planned = new DrillReport.Plan(plan.duration().toMillis(), plan.rate(), plan.threads(),
                plan.slow().toMillis(), plan.maxRtoMs(), plan.maxLost(), plan.recoveryTimeout().toMillis(),
                plan.rejoinWait().toMillis(), plan.maxAttempts());
        String target = o.fault() instanceof DrillFault.Admin ? "cluster behind " + plan.url() + " (admin API only)"
                : "local appliance in " + plan.dataDir().toAbsolutePath().normalize();
        return new DrillReport(name, o.fault().kind(), plan.kind().label,
                OffsetDateTime.ofInstant(Instant.ofEpochMilli(o.startWallMs()), ZoneId.systemDefault()).toString(), target,
                plan.url(), plan.loadUrl(), planned, fault, figures, o.check().lostWrites(),
                o.check().report().duplicates().size(), verdict, o.check().nodes(), o.check().report().violations(),
                failures(o), o.events().sorted(), Timeline.of(o.ops(), o.startNanos(), o.endNanos(), BUCKET_MS, slow),
                versions(o.before()), settings(o.before(), clusterSettings), requestLog);
    }

    /** Failed requests by kind and class, e.g. {@code write 503:no_primary}, {@code read missing}. */
    private static Map<String, Long> failures(DrillRun.Outcome o) {
        Map<String, Long> out = new TreeMap<>();
        for (Op op : o.ops()) {
            if (!op.acked()) {
                out.merge((op.isWrite() ? "write " : "read ") + op.outcome(), 1L, Long::sum);
            }
        }
        return out;
    }

    private static Map<String, String> versions(StatusReport before) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("drill (understudy CLI)", String.join(" ", UnderstudyCli.class.getAnnotation(Command.class).version()));
        before.members().forEach(m -> out.put("node " + m.nodeId(), m.version() == null ? "unknown" : m.version()));
        out.put("java (drill)", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
        out.put("os (drill)", System.getProperty("os.name") + " " + System.getProperty("os.version") + ", "
                + Runtime.getRuntime().availableProcessors() + " cores");
        return out;
    }

    private static Map<String, Object> settings(StatusReport before, Map<String, Object> clusterSettings) {
        Map<String, Object> out = new LinkedHashMap<>(clusterSettings);
        before.members().forEach(m -> out.put("replication mode of " + m.nodeId(),
                m.replication() == null || m.replication().syncMode() == null ? "unknown" : m.replication().syncMode()));
        return out;
    }

    private static long ms(long nanos, long startNanos) {
        return (nanos - startNanos) / 1_000_000;
    }
}
