package io.understudy.launcher.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.understudy.cluster.ClusterJson;
import io.understudy.cluster.MemberRecord;
import io.understudy.cluster.ReplicationInfo;
import io.understudy.cluster.Role;
import io.understudy.failoverswitch.admin.StatusReport;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code understudy status}: every member with its role, epoch, health, lag and eligibility, like {@code patronictl list}. */
@Command(name = "status", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Show the cluster: each node's role, epoch, health, replication, lag (ms and bytes), whether it " +
            "may become primary and why, and its tags. '*' marks the primary. Against a node's address (not " +
            "a switch's) it shows that node alone."})
final class StatusCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster;

    @Option(names = {"-w", "--watch"}, description = "refresh until stopped (Ctrl-C) or --count refreshes")
    boolean watch;

    @Option(names = "--interval", defaultValue = "2s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "time between refreshes with --watch (default: ${DEFAULT-VALUE})")
    Duration interval;

    @Option(names = "--count", defaultValue = "0", description = "with --watch: stop after this many refreshes (0: never)")
    int count;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        AdminClient client = new AdminClient(cluster);
        boolean terminal = System.console() != null && !cluster.json();
        for (int n = 1; ; n++) {
            String text = show(client);
            if (watch && terminal) {
                out.print("\033[H\033[2J");
            }
            if (watch && !cluster.json()) {
                out.println(LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + "  " + cluster.url() + "  (every "
                        + interval.toMillis() + " ms, Ctrl-C stops)");
            }
            out.print(text);
            out.flush();
            if (!watch || (count > 0 && n >= count)) {
                return 0;
            }
            Thread.sleep(interval.toMillis()); // the refresh interval the operator asked for
        }
    }

    private String show(AdminClient client) {
        AdminClient.Answer answer = client.get("/_understudy/status");
        if (answer.status() == 404) {
            AdminClient.Answer node = client.get("/health");
            if (node.body().has("nodeId")) {
                return cluster.json() ? JsonText.pretty(node.body()) : fromNode(node.body());
            }
        }
        AdminClient.expectOk(answer, "status");
        if (cluster.json()) {
            return JsonText.pretty(answer.body());
        }
        return StatusText.render(StatusParsing.parse(answer.body()));
    }

    /** A node's own /health, as a one-row table. */
    private String fromNode(JsonNode health) {
        MemberRecord.Candidacy c = ClusterJson.MAPPER.convertValue(health.path("candidacy"), MemberRecord.Candidacy.class);
        ReplicationInfo replication = ClusterJson.MAPPER.convertValue(health.path("replication"), ReplicationInfo.class);
        StatusReport.Member member = new StatusReport.Member(health.path("nodeId").asText(),
                Role.valueOf(health.path("role").asText()), cluster.url(), health.path("healthy").asBoolean(),
                health.path("lagMs").asLong(-1), health.path("epoch").asLong(), replication, c != null && c.eligible(),
                c == null ? "" : c.reason(), c == null ? 0 : c.priority(), c != null && c.nofailover(), -1,
                health.path("version").asText(null));
        Table table = new Table("Node " + member.nodeId() + " at " + cluster.url(), "Node", "Role", "Epoch", "Health",
                "Replication", "Lag ms", "Eligible", "Tags", "Why");
        table.row(member.nodeId(), member.role(), member.epoch(), member.healthy() ? "healthy" : "UNHEALTHY",
                StatusText.replication(replication), member.role() == Role.SECONDARY && member.lagMs() >= 0 ? member.lagMs() : "-",
                member.eligible() ? "yes" : "no", StatusText.tags(member), member.eligibility());
        return table.render() + "This is a node's own view; give a switch's address (--url) for the whole cluster.\n";
    }

}
