package io.understudy.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.understudy.cluster.ClusterJson;
import io.understudy.cluster.DutyRun;
import io.understudy.cluster.HistoryRecord;
import io.understudy.cluster.zk.ZkPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hooks, the supervised application ({@code runOn=primary}) and a primary-only duty on the real appliance
 * (separate node processes), through a {@code kill -9} of the primary in the middle of a duty run: the hooks see
 * the right role, epoch and node; the application restarts when it dies and moves to the new primary; the
 * interrupted run dies with its node and runs again on the new primary; no epoch has duty runs of two nodes.
 */
class RoleWorkFailoverIT {

    private static final Logger LOG = LoggerFactory.getLogger(RoleWorkFailoverIT.class);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;
    static LocalAppliance appliance;
    static Path events;
    static Path starts;
    static Path runs;

    @BeforeAll
    static void start() {
        events = dir.resolve("events");
        starts = dir.resolve("starts");
        runs = dir.resolve("runs");
        String record = "echo \"$UNDERSTUDY_EVENT $UNDERSTUDY_NODE_ID $UNDERSTUDY_ROLE $UNDERSTUDY_PREVIOUS_ROLE"
                + " $UNDERSTUDY_EPOCH\" >> " + events;
        Map<String, String> settings = Map.of(
                "hooks.onPrimary", record,
                "hooks.onSecondary", record,
                "app.command", "echo \"$UNDERSTUDY_NODE_ID $UNDERSTUDY_ROLE $UNDERSTUDY_EPOCH $$\" >> " + starts
                        + "; exec sleep 600",
                "app.runOn", "primary",
                "app.restartBackoffMs", "500",
                // a duty that runs 20 s, started every second it is not already running
                "duties.slow.schedule", "* * * * * *",
                "duties.slow.command", "echo \"start $UNDERSTUDY_NODE_ID $UNDERSTUDY_EPOCH $UNDERSTUDY_DUTY_RUN $$\" >> "
                        + runs + "; sleep 20; echo \"end $UNDERSTUDY_NODE_ID $UNDERSTUDY_EPOCH $UNDERSTUDY_DUTY_RUN\" >> " + runs);
        appliance = new LocalAppliance(TestPorts.applianceOnFreePorts(dir.resolve("data")), TestPorts.childClasspath(),
                settings);
        appliance.start(Duration.ofMinutes(4));
    }

    @AfterAll
    static void stop() {
        if (appliance != null) {
            appliance.close();
        }
    }

    @Test
    void hooksApplicationAndDutiesFollowThePrimaryThroughKillNine() throws Exception {
        // Not assumed to be epoch 1: on a starved machine the first primary may have lost its lease and reclaimed.
        long epoch = appliance.status().orElseThrow().primary().epoch();
        String first = appliance.primaryNodeId().orElseThrow();
        String second = appliance.config().nodeIds().stream().filter(id -> !id.equals(first)).findFirst().orElseThrow();

        await("hooks of both nodes").atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
            assertThat(lines(events)).anyMatch(l -> l.startsWith("onPrimary " + first + " PRIMARY ") && l.endsWith(" " + epoch));
            assertThat(lines(events)).anyMatch(l -> l.startsWith("onSecondary " + second + " SECONDARY STARTING "));
        });

        // the application runs on the primary only, and starts again when it dies
        await("the application on " + first).atMost(Duration.ofMinutes(1))
                .until(() -> startsOf(first).stream().anyMatch(l -> l.startsWith(first + " PRIMARY " + epoch + " ")));
        int startsBefore = startsOf(first).size();
        ProcessHandle.of(lastWord(last(startsOf(first)))).orElseThrow().destroyForcibly();
        await("the application restarted").atMost(Duration.ofMinutes(1)).until(() -> startsOf(first).size() == startsBefore + 1);
        long appPid = lastWord(last(startsOf(first)));
        assertThat(last(startsOf(first))).startsWith(first + " PRIMARY " + epoch + " ");
        assertThat(startsOf(second)).isEmpty();

        // kill -9 of the primary's node process while a duty run is going on there
        await("a duty run on " + first).atMost(Duration.ofMinutes(1)).until(() -> unfinishedRun(first, epoch).isPresent());
        String killedRun = unfinishedRun(first, epoch).get();
        long dutyPid = lastWord(lines(runs).stream().filter(l -> l.contains(" " + killedRun + " ")).findFirst().orElseThrow());
        Process victim = appliance.nodeProcess(first);
        LOG.info("kill -9 of primary node {} (pid {}) during duty run {}", first, victim.pid(), killedRun);
        victim.destroyForcibly();
        assertThat(victim.waitFor(30, TimeUnit.SECONDS)).isTrue();

        await("the new primary").atMost(Duration.ofMinutes(2)).until(() -> appliance.primaryNodeId().equals(Optional.of(second)));
        long next = appliance.status().orElseThrow().primary().epoch();
        assertThat(next).isGreaterThan(epoch);
        await("the killed node's processes").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(alive(dutyPid)).as("the interrupted duty run's shell").isFalse();
            assertThat(alive(appPid)).as("the old primary's application").isFalse();
        });
        await("hooks and application on " + second).atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
            assertThat(lines(events)).contains("onPrimary " + second + " PRIMARY SECONDARY " + next);
            assertThat(startsOf(second)).hasSize(1).allMatch(l -> l.startsWith(second + " PRIMARY " + next + " "));
        });

        // the interrupted run runs again on the new primary, to its end
        await("the re-run ends").atMost(Duration.ofMinutes(2)).until(() -> endedRun(history(), second).isPresent());
        List<HistoryRecord> history = history();
        LOG.info("duty run history across the failover:\n{}", history.stream()
                .filter(h -> h.duty() != null).map(ClusterJson::toString).collect(Collectors.joining("\n")));
        DutyRun rerun = history.stream().filter(h -> h.type() == HistoryRecord.Type.DUTY_STARTED)
                .map(HistoryRecord::duty).filter(r -> r.epoch() == next).findFirst().orElseThrow();
        assertThat(rerun.nodeId()).isEqualTo(second);
        assertThat(rerun.reason()).startsWith("re-run of " + killedRun + " (" + first + "@" + epoch + "), interrupted: no end recorded");
        assertThat(history).filteredOn(h -> h.type() == HistoryRecord.Type.DUTY_ENDED)
                .noneMatch(h -> h.duty().runId().equals(killedRun));
        assertThat(lines(runs)).noneMatch(l -> l.startsWith("end ") && l.contains(killedRun));
        assertThat(endedRun(history, second).get().outcome()).isEqualTo(DutyRun.Outcome.SUCCEEDED);
        // never two nodes in one epoch
        Map<Long, Set<String>> nodesPerEpoch = history.stream().filter(h -> h.type() == HistoryRecord.Type.DUTY_STARTED)
                .collect(Collectors.groupingBy(HistoryRecord::epoch, Collectors.mapping(HistoryRecord::nodeId, Collectors.toSet())));
        assertThat(nodesPerEpoch).containsEntry(epoch, Set.of(first)).containsEntry(next, Set.of(second))
                .allSatisfy((e, nodes) -> assertThat(nodes).as("nodes running duties in epoch %d", e).hasSize(1));
    }

    private static String last(List<String> lines) {
        return lines.get(lines.size() - 1);
    }

    private static Optional<DutyRun> endedRun(List<HistoryRecord> history, String node) {
        return history.stream().filter(h -> h.type() == HistoryRecord.Type.DUTY_ENDED).map(HistoryRecord::duty)
                .filter(r -> r.nodeId().equals(node)).findFirst();
    }

    /** The run id of a run of {@code node} in {@code epoch} that has started and not ended, per the duty's own file. */
    private static Optional<String> unfinishedRun(String node, long epoch) throws Exception {
        List<String> all = lines(runs);
        return all.stream().filter(l -> l.startsWith("start " + node + " " + epoch + " ")).map(l -> l.split(" ")[3])
                .filter(run -> all.stream().noneMatch(l -> l.startsWith("end ") && l.endsWith(" " + run))).findFirst();
    }

    private static List<String> startsOf(String node) throws Exception {
        return lines(starts).stream().filter(l -> l.startsWith(node + " ")).toList();
    }

    private static List<String> lines(Path file) throws Exception {
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }

    private static long lastWord(String line) {
        String[] words = line.split(" ");
        return Long.parseLong(words[words.length - 1]);
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static List<HistoryRecord> history() throws Exception {
        try (CuratorFramework client = CuratorFrameworkFactory.newClient(appliance.config().zookeeperConnect(),
                new RetryOneTime(100))) {
            client.start();
            ZkPaths paths = new ZkPaths(appliance.config().clusterName());
            List<HistoryRecord> out = new ArrayList<>();
            for (String child : client.getChildren().forPath(paths.history()).stream().sorted().toList()) {
                out.add(ClusterJson.fromBytes(client.getData().forPath(paths.history() + "/" + child), HistoryRecord.class));
            }
            return out;
        }
    }
}
