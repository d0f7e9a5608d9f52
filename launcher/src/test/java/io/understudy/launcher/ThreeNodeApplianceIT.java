package io.understudy.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.understudy.cluster.ClusterJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A three-node appliance on real processes, in sync mode with {@code syncFallback=refuse} (nothing is acknowledged
 * that a synchronous standby does not hold). A {@code kill -9} of the primary under keyed writes leaves both survivors
 * with every acknowledged write, and the appliance starts the killed node again, which comes back as a secondary. A
 * removed node's slot and publication are gone from the primary as soon as the removal answers, the node refuses to
 * start, and adding it back makes it a streaming secondary with all the data. Each test starts from every node
 * serving, whatever ran before.
 */
class ThreeNodeApplianceIT {

    private static final Logger LOG = LoggerFactory.getLogger(ThreeNodeApplianceIT.class);
    private static final Duration LONG = Duration.ofMinutes(5);

    /** Kept when a test fails, for its logs. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;

    static LocalAppliance appliance;

    @BeforeAll
    static void start() {
        // A session of 6 s instead of the appliance's 1.8 s: four JVMs on a starved CI machine must not lose their
        // sessions to slowness alone (each loss moves the epoch and sends the secondaries to a fresh copy). A killed
        // node's session is ended at once by the appliance, so the failover does not wait for it.
        appliance = new LocalAppliance(TestPorts.applianceOnFreePorts(dir.resolve("data"), 3), TestPorts.childClasspath(),
                Map.of("replication.mode", "sync", "replication.syncFallback", "refuse", "zookeeper.sessionTimeoutMs", "6000",
                        "zookeeper.connectionTimeoutMs", "6000"));
        appliance.start(Duration.ofMinutes(8));
    }

    @AfterAll
    static void stop() {
        if (appliance != null) {
            appliance.close();
        }
    }

    /** Every node serves and both secondaries are synchronous standbys. */
    @BeforeEach
    void everyNodeServing() {
        await("every node serving, both secondaries synchronous standbys").atMost(LONG).pollInterval(Duration.ofMillis(250))
                .ignoreExceptions().until(() -> {
                    SwitchStatus status = appliance.status().orElseThrow();
                    List<String> secondaries = new ArrayList<>(appliance.config().nodeIds());
                    secondaries.remove(status.primaryNodeId().orElseThrow());
                    return status.readyWith(appliance.config().nodeIds()) && syncStandbys().containsAll(secondaries);
                });
    }

    @Test
    void bothSurvivorsHoldEveryAcknowledgedWriteAfterKillNineOfThePrimaryAndTheKilledNodeComesBack() throws Exception {
        String primary = appliance.primaryNodeId().orElseThrow();
        List<String> survivors = new ArrayList<>(appliance.config().nodeIds());
        survivors.remove(primary);
        int restartsBefore = appliance.restarts(primary);

        long killedAt;
        SwitchWriteLoad load = new SwitchWriteLoad(appliance.switchUrl(), "k3", 3);
        try {
            await("writes acknowledged before the kill").atMost(LONG).until(() -> load.ackCount() >= 60);
            Process victim = appliance.nodeProcess(primary);
            LOG.info("kill -9 of primary node {} (pid {}) after {} acknowledged writes", primary, victim.pid(), load.ackCount());
            killedAt = System.nanoTime();
            victim.destroyForcibly();
            assertThat(victim.waitFor(30, TimeUnit.SECONDS)).isTrue();

            String next = await("a survivor promoted").atMost(LONG).pollInterval(Duration.ofMillis(50))
                    .until(() -> appliance.primaryNodeId().orElse(primary), p -> !p.equals(primary));
            LOG.info("MEASURED 3 nodes: kill -9 to a live new primary ({}) at the switch: {} ms", next,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt));
            assertThat(survivors).contains(next);
            await("writes acknowledged by the new primary").atMost(LONG)
                    .until(() -> load.acked().values().stream().filter(a -> a.atNanos() > killedAt).count() >= 30);
            LOG.info("MEASURED 3 nodes, sync mode (refuse): longest time without an acknowledged write after the kill {} ms"
                    + " ({} requests failed or refused meanwhile)", load.longestAckGapMs(killedAt), load.failures().size());
        } finally {
            load.close(); // waits for the writers' last answers
        }

        List<SwitchWriteLoad.Ack> acked = List.copyOf(load.acked().values());
        for (String survivor : survivors) {
            await("every acknowledged write on survivor " + survivor).atMost(LONG).pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> assertHolds(survivor, acked));
        }

        // The appliance started the killed node again; the switch shows it back as a secondary, with everything.
        appliance.awaitNodeBack(primary, LONG);
        assertThat(appliance.restarts(primary)).isEqualTo(restartsBefore + 1);
        SwitchStatus status = appliance.status().orElseThrow();
        assertThat(status.member(primary).orElseThrow().role()).isEqualTo("SECONDARY");
        assertThat(status.isHealthySecondary(primary)).isTrue();
        await("every acknowledged write on the returned node " + primary).atMost(LONG).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertHolds(primary, acked));
    }

    @Test
    void aRemovedNodesSlotIsGoneAtOnceAndAnAddedNodeStreamsEverything() throws Exception {
        for (int i = 0; i < 30; i++) {
            ObjectsApi.putUntilAcknowledged(appliance.switchUrl(), "m-" + i, ObjectsApi.document(i), LONG);
        }
        String primary = appliance.primaryNodeId().orElseThrow();
        String victim = appliance.config().nodeIds().stream().filter(id -> !id.equals(primary)).reduce((x, y) -> y).orElseThrow();
        String slot = "understudy_" + victim;
        assertThat(slotsAndPublications(primary, slot)).as("the primary keeps a slot and publication for " + victim).isEqualTo(2);
        ApplianceConfig before = appliance.config();

        SwitchAdminClient.Answer removed = appliance.removeNode(victim);
        assertThat(removed.status()).as(removed.body().toString()).isEqualTo(200);
        assertThat(removed.body().path("removed").asBoolean()).isTrue();
        assertThat(slotsAndPublications(primary, slot)).as(slot + " on the primary, right after the removal answered").isZero();
        assertThat(appliance.config().nodeIds()).doesNotContain(victim);
        assertThat(syncStandbys()).doesNotContain(victim);
        ObjectsApi.putUntilAcknowledged(appliance.switchUrl(), "m-without-" + victim, ObjectsApi.document(30), LONG);

        // The removed node, started again on its own database by hand, refuses to join: its roster entry says removed.
        Path log = dir.resolve("removed-" + victim + ".log");
        try (LocalPostgres itsDatabase = new LocalPostgres("postgres-" + victim, before.postgresDir(victim), before.pgPort(victim),
                dir.resolve("removed-postgres-" + victim + ".log"))) {
            itsDatabase.start();
            Process refused = new ProcessBuilder(ChildProcess.javaCommand(ChildProcess.currentJava(), TestPorts.childClasspath(),
                    256, "node-" + victim, List.of("node", "--config", ChildConfigs.nodeFile(before, victim).toString())))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            assertThat(refused.waitFor(5, TimeUnit.MINUTES)).isTrue();
            assertThat(refused.exitValue()).as("exit code of a removed node, see " + log).isEqualTo(3);
        }
        assertThat(Files.readString(log, StandardCharsets.UTF_8)).contains("was removed from cluster");

        ApplianceMembers.Added added = appliance.addNode(null, LONG);
        LOG.info("MEASURED add-node {} to a streaming secondary: {} ms", added.nodeId(), added.streamingAfterMs());
        assertThat(added.nodeId()).as("the first free id: the removed node, readmitted").isEqualTo(victim);
        assertThat(appliance.status().orElseThrow().isHealthySecondary(victim)).isTrue();
        ObjectsApi.putUntilAcknowledged(appliance.switchUrl(), "m-after", ObjectsApi.document(31), LONG);
        await("all data on the added node").atMost(LONG).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            for (int i = 0; i < 30; i++) {
                ObjectsApi.Response r = ObjectsApi.get(added.apiUrl(), "m-" + i);
                assertThat(r.status()).as("m-%d on %s", i, victim).isEqualTo(200);
                assertThat(r.body()).isEqualTo(ObjectsApi.document(i));
            }
            assertThat(ObjectsApi.get(added.apiUrl(), "m-without-" + victim).body()).isEqualTo(ObjectsApi.document(30));
            assertThat(ObjectsApi.get(added.apiUrl(), "m-after").body()).isEqualTo(ObjectsApi.document(31));
        });
        assertThat(slotsAndPublications(primary, slot)).as("the added node streams through a new slot").isEqualTo(2);

        // Removed through the switch while it runs: it stops on its own (exit code 3) and the appliance leaves it stopped.
        Process running = appliance.nodeProcess(victim);
        int restarts = appliance.restarts(victim);
        SwitchAdminClient.Answer again = appliance.adminClient().removeMember(victim, "removed while running");
        assertThat(again.status()).as(again.body().toString()).isEqualTo(200);
        assertThat(slotsAndPublications(primary, slot)).isZero();
        assertThat(running.waitFor(5, TimeUnit.MINUTES)).as("the removed node exits").isTrue();
        assertThat(running.exitValue()).isEqualTo(3);
        await("the appliance gives up on it").atMost(LONG).until(() -> appliance.supervisor().gaveUp().containsKey("node-" + victim));
        assertThat(appliance.restarts(victim)).as("not started again").isEqualTo(restarts);
        assertThat(appliance.removeNode(victim).body().path("removed").asBoolean()).as("and it leaves the appliance").isTrue();
        assertThat(appliance.config().nodeIds()).doesNotContain(victim);
        appliance.addNode(victim, LONG); // three nodes again, for whatever runs next
    }

    private static void assertHolds(String node, List<SwitchWriteLoad.Ack> acked) throws Exception {
        for (SwitchWriteLoad.Ack ack : acked) {
            ObjectsApi.Response r = ObjectsApi.get(appliance.nodeApiUrl(node), ack.id());
            assertThat(r.status()).as("%s on %s", ack.id(), node).isEqualTo(200);
            assertThat(r.text()).as("%s on %s", ack.id(), node).isEqualTo(ack.body());
        }
    }

    /** The synchronous standbys, as the switch's roster shows them. */
    private static List<String> syncStandbys() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(appliance.switchUrl() + "/_understudy/members")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        List<String> out = new ArrayList<>();
        for (JsonNode member : ClusterJson.MAPPER.readTree(r.body()).path("members")) {
            if (member.path("syncStandby").asBoolean()) {
                out.add(member.path("nodeId").asText());
            }
        }
        return out;
    }

    /** How many of the slot and the publication named {@code name} node {@code nodeId}'s PostgreSQL holds (0-2). */
    private static int slotsAndPublications(String nodeId, String name) throws Exception {
        String url = "jdbc:postgresql://" + ApplianceConfig.HOST + ":" + appliance.config().pgPort(nodeId) + "/postgres";
        try (Connection c = DriverManager.getConnection(url, LocalPostgres.SUPERUSER, "");
             PreparedStatement ps = c.prepareStatement("SELECT (SELECT count(*) FROM pg_replication_slots WHERE slot_name = ?)"
                     + " + (SELECT count(*) FROM pg_publication WHERE pubname = ?)")) {
            ps.setString(1, name);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
