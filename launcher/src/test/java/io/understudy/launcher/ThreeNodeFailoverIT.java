package io.understudy.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.understudy.cluster.ClusterJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A three-node appliance on real processes in sync mode ({@code syncFallback=refuse}: nothing is acknowledged that a
 * standby does not hold): {@code kill -9} of the primary under keyed writes through the switch. Both survivors must
 * hold every acknowledged write, and the killed node is started again by the appliance and comes back as a secondary,
 * as the switch's status shows.
 */
class ThreeNodeFailoverIT {

    private static final Logger LOG = LoggerFactory.getLogger(ThreeNodeFailoverIT.class);
    private static final Duration LONG = Duration.ofMinutes(4);

    /** Kept when a test fails, for its logs. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;

    static LocalAppliance appliance;

    @BeforeAll
    static void start() {
        appliance = new LocalAppliance(TestPorts.applianceOnFreePorts(dir.resolve("data"), 3), TestPorts.childClasspath(),
                Map.of("replication.mode", "sync", "replication.syncFallback", "refuse"));
        appliance.start(Duration.ofMinutes(6));
    }

    @AfterAll
    static void stop() {
        if (appliance != null) {
            appliance.close();
        }
    }

    @Test
    void bothSurvivorsHoldEveryAcknowledgedWriteAfterKillNineOfThePrimaryAndTheKilledNodeComesBack() throws Exception {
        String primary = appliance.primaryNodeId().orElseThrow();
        List<String> survivors = new ArrayList<>(appliance.config().nodeIds());
        survivors.remove(primary);
        await("both secondaries synchronous standbys").atMost(LONG).pollInterval(Duration.ofMillis(250))
                .until(() -> syncStandbys().containsAll(survivors));

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
            LOG.info("MEASURED 3 nodes, kill -9 to a live new primary ({}) through the switch: {} ms", next,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt));
            assertThat(survivors).contains(next);
            int before = load.ackCount();
            await("writes acknowledged by the new primary").atMost(LONG)
                    .until(() -> load.acked().values().stream().filter(a -> a.atNanos() > killedAt).count() >= 30);
            LOG.info("MEASURED 3 nodes, sync mode: longest write gap after the kill {} ms ({} writes acknowledged before,"
                    + " {} failed or refused meanwhile)", load.longestAckGapMs(killedAt), before, load.failures().size());
        } finally {
            load.close(); // waits for the writers' last answers
        }

        SwitchWriteLoad.Ack[] acked = load.acked().values().toArray(SwitchWriteLoad.Ack[]::new);
        for (String survivor : survivors) {
            await("every acknowledged write on survivor " + survivor).atMost(LONG).pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> assertHolds(survivor, acked));
        }

        // The appliance started the killed node again; it rejoined as a secondary, with everything.
        appliance.awaitNodeBack(primary, LONG);
        assertThat(appliance.restarts(primary)).isEqualTo(1);
        SwitchStatus status = appliance.status().orElseThrow();
        assertThat(status.member(primary).orElseThrow().role()).isEqualTo("SECONDARY");
        assertThat(status.isHealthySecondary(primary)).isTrue();
        await("every acknowledged write on the returned node " + primary).atMost(LONG).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertHolds(primary, acked));
    }

    private static void assertHolds(String node, SwitchWriteLoad.Ack[] acked) throws Exception {
        for (SwitchWriteLoad.Ack ack : acked) {
            ObjectsApi.Response r = ObjectsApi.get(appliance.nodeApiUrl(node), ack.id());
            assertThat(r.status()).as("%s on %s", ack.id(), node).isEqualTo(200);
            assertThat(r.text()).as("%s on %s", ack.id(), node).isEqualTo(ack.body());
        }
    }

    /** The synchronous standbys, as the switch's roster shows them. */
    static List<String> syncStandbys() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(appliance.switchUrl() + "/_understudy/members")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        List<String> out = new ArrayList<>();
        for (JsonNode member : ClusterJson.MAPPER.readTree(r.body()).path("members")) {
            if (member.path("syncStandby").asBoolean()) {
                out.add(member.path("nodeId").asText());
            }
        }
        return out;
    }
}
