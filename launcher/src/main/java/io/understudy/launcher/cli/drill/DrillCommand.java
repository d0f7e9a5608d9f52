package io.understudy.launcher.cli.drill;

import io.understudy.cluster.ClusterJson;
import io.understudy.launcher.cli.AdminClient;
import io.understudy.launcher.cli.ClusterOptions;
import io.understudy.launcher.cli.DurationConverter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code understudy drill}: a DR drill with evidence. */
@Command(name = "drill", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"DR drill: a checkable write and read load through the switch, a fault on the primary, recovery," +
            " then every acknowledged write checked on every node. Writes a report (Markdown, JSON, HTML " +
            "with a timeline chart) and records its figures in the cluster's history. On the local appliance" +
            " it acts on the processes itself (kill -9 / SIGSTOP of the primary node, kill -9 of its " +
            "PostgreSQL); against a remote cluster kill and freeze are a forced failover through the admin " +
            "API. Exit code 0 when the drill passed, 1 when it failed (not recovered, a safety violation, or" +
            " beyond --max-rto / --max-lost), 2 for usage errors."})
public final class DrillCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--kind", defaultValue = "kill", description = "kill, freeze, switchover or db-crash (default: ${DEFAULT-VALUE})")
    String kind;

    @Option(names = "--duration", defaultValue = "60s", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "how long the load runs; the fault comes after a quarter of it, 2-15 s (default: ${DEFAULT-VALUE})")
    Duration duration;

    @Option(names = "--rate", defaultValue = "50", description = "writes per second, each followed by a read (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--max-rto", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "fail when clients could not write for longer than this")
    Duration maxRto;

    @Option(names = "--max-lost", paramLabel = "N", description = "fail when more acknowledged writes are missing on a node")
    Long maxLost;

    @Option(names = "--report-dir", defaultValue = "drill-reports", paramLabel = "DIR",
            description = "where the report goes (default: ${DEFAULT-VALUE})")
    Path reportDir;

    @Option(names = "--load-url", paramLabel = "URL", description = "send the load here instead of --url (e.g. a load balancer)")
    String loadUrl;

    @Option(names = "--remote", description = "touch no local process, even on the local appliance: use the admin API")
    boolean remote;

    @Option(names = "--threads", defaultValue = "4", description = "client threads (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--attempts", defaultValue = "5",
            description = "sends of a write until it is acknowledged, same key and body (default: ${DEFAULT-VALUE})")
    int attempts;

    @Option(names = "--slow", defaultValue = "200ms", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "a request that succeeds slower than this counts as held (default: ${DEFAULT-VALUE})")
    Duration slow;

    @Option(names = "--recovery-timeout", defaultValue = "60s", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "how long a new primary may take to acknowledge writes (default: ${DEFAULT-VALUE})")
    Duration recoveryTimeout;

    @Option(names = "--rejoin-wait", defaultValue = "30s", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "after the load, how long to wait for the old primary to come back (default: ${DEFAULT-VALUE})")
    Duration rejoinWait;

    @Override
    public Integer call() throws Exception {
        DrillPlan plan = plan();
        PrintWriter progress = cluster.json() ? spec.commandLine().getErr() : spec.commandLine().getOut();
        String name = "drill-" + plan.kind().label + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        AdminClient client = new AdminClient(cluster);
        Map<String, Object> settings = DrillRecord.clusterSettings(client);
        DrillRun.Outcome outcome = new DrillRun(plan, name, client, progress).run();
        DrillReport report = ReportBuilder.build(plan, name, outcome, settings, ReportFiles.requestLogName(name));
        Path json = ReportFiles.write(plan.reportDir(), report, outcome.ops(), outcome.startNanos());
        DrillRecord.record(client, report, progress);
        progress.println(DrillRecord.summary(report));
        progress.println("report: " + json.toString().replaceAll("\\.json$", "") + ".{md,json,html}");
        progress.flush();
        if (cluster.json()) {
            spec.commandLine().getOut().print(ClusterJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(
                    Map.of("report", json.toString(), "passed", report.verdict().passed(), "verdict", report.verdict().text(),
                            "figures", report.figures(), "lostWrites", report.lostWrites())) + "\n");
            spec.commandLine().getOut().flush();
        }
        return report.verdict().passed() ? 0 : 1;
    }

    private DrillPlan plan() {
        DrillFault.Kind chosen = null;
        for (DrillFault.Kind k : DrillFault.Kind.values()) {
            if (k.label.equals(kind)) {
                chosen = k;
            }
        }
        if (chosen == null) {
            throw new ParameterException(spec.commandLine(), "--kind must be kill, freeze, switchover or db-crash, got '" + kind + "'");
        }
        if (rate <= 0 || rate > 10_000) {
            throw new ParameterException(spec.commandLine(), "--rate must be above 0 and at most 10000, got " + rate);
        }
        if (duration.compareTo(Duration.ofSeconds(5)) < 0 || duration.compareTo(Duration.ofHours(1)) > 0) {
            throw new ParameterException(spec.commandLine(), "--duration must be between 5s and 1h, got " + duration);
        }
        if (threads < 1 || threads > 64 || attempts < 1 || attempts > 20) {
            throw new ParameterException(spec.commandLine(), "--threads must be 1-64 and --attempts 1-20");
        }
        if (maxLost != null && maxLost < 0) {
            throw new ParameterException(spec.commandLine(), "--max-lost must be 0 or more");
        }
        return new DrillPlan(chosen, duration, rate, threads, slow, maxRto == null ? null : maxRto.toMillis(), maxLost,
                recoveryTimeout, rejoinWait, attempts, cluster.url(), loadUrl == null ? cluster.url() : trim(loadUrl), reportDir,
                remote, cluster.dataDir());
    }

    private static String trim(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
