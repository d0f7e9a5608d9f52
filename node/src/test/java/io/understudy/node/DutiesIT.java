package io.understudy.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.understudy.cluster.DutyRun;
import io.understudy.cluster.HistoryRecord;
import io.understudy.node.support.Http;
import io.understudy.node.support.TestNodes;
import io.understudy.node.support.Traces;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Primary-only duties on two real nodes: the README's backup duty (Debian's pg_dump against the node's own
 * PostgreSQL) and a marker duty run on the primary only, move to the new primary, and each run is in the history
 * and the metrics. The kill -9 failover in the middle of a run is the launcher's RoleWorkFailoverIT.
 */
class DutiesIT extends WithTwoDatabases {

    @Test
    void shouldRunDutiesOnThePrimaryOnlyAndMoveThemWithIt() throws Exception {
        Path backups = Files.createDirectories(dir.resolve("backups"));
        Path runs = dir.resolve("runs");
        Map<String, String> duties = Map.of(
                // the README's worked example, every 2 s instead of nightly
                "duties.backup.schedule", "*/2 * * * * *",
                "duties.backup.command", "f=" + backups + "/meta-$(date -u +%Y%m%dT%H%M%SZ)-e$UNDERSTUDY_EPOCH.dump;"
                        + " pg_dump --format=custom --file=\"$f.part\" && mv \"$f.part\" \"$f\"",
                "duties.marker.schedule", "* * * * * *",
                "duties.marker.command", "echo \"$UNDERSTUDY_NODE_ID $UNDERSTUDY_EPOCH $UNDERSTUDY_DUTY_RUN\" >> " + runs,
                "duties.marker.timeoutMs", "10000");
        NodeConfig configA = TestNodes.config("a", zk.getConnectString(), pgA, dir, duties);
        a = Node.start(configA);
        await().atMost(Duration.ofSeconds(30)).until(() -> Http.status(configA.apiAdvertisedUrl() + "/primary") == 200);
        assertThat(Http.put(configA.apiAdvertisedUrl() + "/api/objects/report-1", "{\"title\":\"Q3\"}").statusCode()).isEqualTo(201);
        NodeConfig configB = TestNodes.config("b", zk.getConnectString(), pgB, dir, duties);
        b = Node.start(configB);
        await().atMost(Duration.ofSeconds(60)).until(() -> Http.status(configB.apiAdvertisedUrl() + "/replica") == 200);

        await().atMost(Duration.ofSeconds(60)).until(() -> dumps(backups).size() >= 2 && lines(runs).size() >= 3);
        assertThat(lines(runs)).as("the secondary runs nothing").allMatch(l -> l.startsWith("a 1 marker-e1-a-"));
        Path dump = dumps(backups).get(0);
        Process list = new ProcessBuilder("pg_restore", "--list", dump.toString()).redirectErrorStream(true).start();
        String toc = new String(list.getInputStream().readAllBytes());
        assertThat(list.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(list.exitValue()).as(toc).isZero();
        assertThat(toc).contains("TABLE public objects").contains("TABLE DATA public objects");
        assertThat(Http.text(Http.get(configA.apiAdvertisedUrl() + "/metrics")))
                .contains("understudy_duty_runs_total{duty=\"backup\",outcome=\"SUCCEEDED\"}")
                .contains("understudy_duty_runs_total{duty=\"marker\",outcome=\"SUCCEEDED\"}");

        a.close();
        a = null;
        await().atMost(Duration.ofSeconds(60)).until(() -> lines(runs).stream().anyMatch(l -> l.startsWith("b 2 ")));
        await().atMost(Duration.ofSeconds(60)).until(() -> dumps(backups).stream()
                .anyMatch(p -> p.getFileName().toString().endsWith("-e2.dump")));

        List<HistoryRecord> history = history();
        List<DutyRun> started = history.stream().filter(h -> h.type() == HistoryRecord.Type.DUTY_STARTED)
                .map(HistoryRecord::duty).toList();
        assertThat(started).extracting(DutyRun::epoch, DutyRun::nodeId).containsOnly(
                org.assertj.core.groups.Tuple.tuple(1L, "a"), org.assertj.core.groups.Tuple.tuple(2L, "b"));
        assertThat(history).filteredOn(h -> h.type() == HistoryRecord.Type.DUTY_ENDED).map(HistoryRecord::duty)
                .anySatisfy(run -> {
                    assertThat(run.duty()).isEqualTo("backup");
                    assertThat(run.outcome()).isEqualTo(DutyRun.Outcome.SUCCEEDED);
                    assertThat(run.exitCode()).isZero();
                    assertThat(run.durationMs()).isNotNegative();
                });
    }

    private static List<String> lines(Path file) throws Exception {
        return Traces.lines(file, "");
    }

    private static List<Path> dumps(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".dump")).sorted().toList();
        }
    }
}
