package io.understudy.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.understudy.cluster.ClusterJson;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real application behind the appliance (separate node processes, sync replication, each node fronting its own
 * {@code TestApp} that writes through its own role into the node's PostgreSQL): clients of the switch reach the
 * primary's application; a secondary's gateway refuses; an acknowledged write is on the secondary; the application's
 * role cannot write where the node is not primary; a switchover and a kill -9 move the traffic to the new primary's
 * application; a primary frozen past its session never relays an answer after it wakes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ApplicationGatewayIT {

    private static final Logger LOG = LoggerFactory.getLogger(ApplicationGatewayIT.class);
    private static final Duration WAIT = Duration.ofMinutes(2);
    /** PostgreSQL's SQLSTATE for a write in a read-only transaction. */
    private static final String READ_ONLY = "25006";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;
    static LocalAppliance appliance;
    static TestApps apps;

    @BeforeAll
    static void start() throws Exception {
        ApplianceConfig config = TestPorts.applianceOnFreePorts(dir.resolve("data"));
        apps = new TestApps(config);
        appliance = apps.configure(new LocalAppliance(config, TestPorts.childClasspath()))
                .nodeSetting("replication.mode", "sync");
        apps.start();
        appliance.start(Duration.ofMinutes(4));
        apps.provision();
        String secondary = other(primary());
        await("the application's role fenced on secondary " + secondary).atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> READ_ONLY.equals(apps.writeAsApplication(secondary)));
    }

    @AfterAll
    static void stop() {
        if (appliance != null) {
            appliance.close();
        }
        if (apps != null) {
            apps.close();
        }
    }

    @Test
    @Order(1)
    void clientsOfTheSwitchReachThePrimarysApplication() throws Exception {
        String primary = primary();
        long epoch = epoch();
        HttpResponse<String> created = TestApps.send("POST", appliance.switchUrl() + "/items", "first row");
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(created.headers().firstValue("X-Test-App")).as("the application that answered").contains(primary);
        assertThat(created.headers().firstValue("X-Understudy-Node")).contains(primary);
        assertThat(created.headers().firstValue("X-Understudy-Served-Epoch")).contains(Long.toString(epoch));
        long id = ClusterJson.MAPPER.readTree(created.body()).path("id").asLong();
        assertThat(apps.query(primary, "SELECT epoch FROM testapp.items WHERE id = " + id))
                .as("the row the application wrote, with the epoch its gateway admitted the request in").isEqualTo(epoch);

        HttpResponse<String> missing = TestApps.send("GET", appliance.switchUrl() + "/items/nothing-here", null);
        assertThat(missing.statusCode()).as("the application's own 404, relayed").isEqualTo(404);
        assertThat(missing.headers().firstValue("X-Test-App")).contains(primary);
        assertThat(TestApps.send("GET", appliance.switchUrl() + "/_understudy/status", null).body())
                .as("the switch's own paths stay the switch's").contains("\"members\"");
    }

    @Test
    @Order(2)
    void aSecondarysGatewayRefusesAndItsApplicationSeesNothing() throws Exception {
        String secondary = other(primary());
        long seen = apps.requestsSeenBy(secondary);

        HttpResponse<String> direct = TestApps.send("POST", apps.gatewayUrl(secondary) + "/items", "to the secondary");
        assertThat(direct.statusCode()).isEqualTo(503);
        assertThat(error(direct)).isEqualTo("not_primary");
        assertThat(direct.headers().firstValue("Retry-After")).contains("1");
        HttpResponse<String> stamped = TestApps.send("GET", apps.gatewayUrl(secondary) + "/items", null,
                "X-Understudy-Epoch", Long.toString(epoch()));
        assertThat(stamped.statusCode()).isEqualTo(421);
        assertThat(error(stamped)).isEqualTo("epoch_mismatch");

        assertThat(apps.requestsSeenBy(secondary) - seen).as("requests that reached the secondary's application").isZero();
    }

    @Test
    @Order(3)
    void anAcknowledgedWriteOfTheApplicationIsAlreadyOnTheSecondary() throws Exception {
        String secondary = other(primary());
        for (int i = 0; i < 20; i++) {
            String id = "app-sync-" + i;
            HttpResponse<String> put = TestApps.send("PUT", appliance.switchUrl() + "/objects/" + id, "{\"i\":" + i + "}");
            assertThat(put.statusCode()).isEqualTo(200);
            // the application writes the node's built-in objects table, which every node replicates without configuration
            assertThat(apps.query(secondary, "SELECT count(*) FROM objects WHERE id = '" + id + "'"))
                    .as("%s in the secondary's database when the client got the answer", id).isEqualTo(1);
        }
    }

    @Test
    @Order(4)
    void theApplicationsRoleWritesOnlyWhereTheNodeIsPrimary() {
        String primary = primary();
        assertThat(apps.writeAsApplication(primary)).as("on primary " + primary).isNull();
        assertThat(apps.writeAsApplication(other(primary))).as("on secondary " + other(primary)).isEqualTo(READ_ONLY);
    }

    @Test
    @Order(5)
    void aKeyedWriteReachesTheApplicationOnceAndItsAnswerIsReplayed() throws Exception {
        String primary = primary();
        long writes = apps.stats(primary).path("writes").asLong();
        HttpResponse<String> first = TestApps.send("POST", appliance.switchUrl() + "/items", "keyed", "Idempotency-Key", "k-1");
        HttpResponse<String> again = TestApps.send("POST", appliance.switchUrl() + "/items", "keyed", "Idempotency-Key", "k-1");
        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(again.statusCode()).isEqualTo(201);
        assertThat(again.body()).as("the first answer, replayed").isEqualTo(first.body());
        assertThat(again.headers().firstValue("Idempotency-Replayed")).contains("true");
        assertThat(apps.stats(primary).path("writes").asLong() - writes).as("writes the application made").isEqualTo(1);
        HttpResponse<String> other = TestApps.send("POST", appliance.switchUrl() + "/items", "another body",
                "Idempotency-Key", "k-1");
        assertThat(other.statusCode()).isEqualTo(422);
        assertThat(error(other)).isEqualTo("idempotency_key_reused");
    }

    @Test
    @Order(6)
    void aSwitchoverMovesTheTrafficToTheNewPrimarysApplication() throws Exception {
        String from = primary();
        String to = other(from);
        long epoch = epoch();
        CompletableFuture<List<HttpResponse<String>>> load = CompletableFuture.supplyAsync(() -> {
            List<HttpResponse<String>> answers = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                try {
                    answers.add(TestApps.send("PUT", appliance.switchUrl() + "/items/during-switchover-" + i, "x"));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            return answers;
        });
        HttpResponse<String> asked = switchAdmin("switchover", "{\"to\":\"" + to + "\"}");
        assertThat(asked.statusCode()).as(asked.body()).isLessThan(300);
        await("node " + to + " primary").atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> to.equals(primaryOrNull()) && epoch() > epoch);
        List<HttpResponse<String>> during = load.get(3, TimeUnit.MINUTES);
        // Each answer came from the application of the node that was primary of the epoch it was served in, or nothing
        // was applied: in sync mode the new primary refuses writes until the old one follows it as a secondary, and on
        // a loaded machine the switchover can outlast the switch's hold (switch.holdTimeoutMs).
        assertThat(during).as("writes sent during the switchover").allSatisfy(r -> {
            if (r.statusCode() == 503) {
                assertThat(error(r)).as(r.body()).isIn("no_sync_replica", "no_primary");
            } else {
                assertThat(r.statusCode()).as(r.body()).isIn(200, 201);
                long served = Long.parseLong(r.headers().firstValue("X-Understudy-Served-Epoch").orElseThrow());
                assertThat(r.headers().firstValue("X-Test-App")).contains(served == epoch ? from : to);
            }
        });
        HttpResponse<String> read = TestApps.send("GET", appliance.switchUrl() + "/items", null);
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.headers().firstValue("X-Test-App")).as("a read right after the switchover").contains(to);

        awaitWritable();
        HttpResponse<String> after = TestApps.send("POST", appliance.switchUrl() + "/items", "after the switchover");
        assertThat(after.statusCode()).isEqualTo(201);
        assertThat(after.headers().firstValue("X-Test-App")).contains(to);
        await("the application's role fenced on the old primary " + from).atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> READ_ONLY.equals(apps.writeAsApplication(from)));
        assertThat(apps.writeAsApplication(to)).as("on the new primary " + to).isNull();
    }

    @Test
    @Order(7)
    void aPrimaryFrozenPastItsSessionNeverRelaysAnAnswerAfterItWakes() throws Exception {
        awaitWritable();
        String frozen = primary();
        String other = other(frozen);
        long epoch = epoch();
        long pid = appliance.nodeProcess(frozen).pid();
        // A write admitted before the freeze, held inside the application until the node has been replaced.
        apps.admin(frozen, "hold");
        CompletableFuture<HttpResponse<String>> admitted = CompletableFuture.supplyAsync(() -> {
            try {
                return TestApps.send("POST", apps.gatewayUrl(frozen) + "/items", "admitted before the freeze");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await("the write inside the application").atMost(WAIT).pollInterval(Duration.ofMillis(50))
                .until(() -> apps.stats(frozen).path("held").asInt() == 1);
        CompletableFuture<HttpResponse<String>> duringFreeze;
        long seenBefore;
        try (Signals signals = new Signals()) {
            signals.send("STOP", pid);
            try {
                await("node " + other + " primary of a newer epoch").atMost(WAIT).pollInterval(Duration.ofMillis(100))
                        .until(() -> other.equals(primaryOrNull()) && epoch() > epoch);
                apps.admin(frozen, "release"); // the answer now waits in the frozen node's socket
                await("the held answer sent").atMost(WAIT).until(() -> apps.stats(frozen).path("held").asInt() == 0);
                seenBefore = apps.requestsSeenBy(frozen);
                // Sent while the node is frozen: the kernel accepts it and the gateway reads it when it wakes.
                duringFreeze = CompletableFuture.supplyAsync(() -> {
                    try {
                        return TestApps.send("POST", apps.gatewayUrl(frozen) + "/items", "sent to the frozen node");
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
            } finally {
                signals.send("CONT", pid);
            }
        }
        HttpResponse<String> first = admitted.get(2, TimeUnit.MINUTES);
        LOG.info("the woken old primary answered the write admitted before the freeze: {} {}", first.statusCode(), first.body());
        assertThat(first.statusCode()).isEqualTo(503);
        assertThat(error(first)).isEqualTo("not_acknowledged");
        assertThat(first.headers().firstValue("X-Test-App")).as("the application's answer is never relayed").isEmpty();
        HttpResponse<String> second = duringFreeze.get(2, TimeUnit.MINUTES);
        LOG.info("the woken old primary answered the write sent while frozen: {} {}", second.statusCode(), second.body());
        assertThat(second.statusCode()).isIn(421, 503);
        assertThat(second.headers().firstValue("X-Test-App")).isEmpty();
        assertThat(apps.requestsSeenBy(frozen) - seenBefore).as("requests the woken node passed to its application").isZero();

        await("old primary " + frozen + " rejoins as a secondary").atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> appliance.status().filter(s -> s.members().stream().anyMatch(m -> m.nodeId().equals(frozen)
                        && m.role().equals("SECONDARY") && m.healthy())).isPresent());
        assertThat(apps.writeAsApplication(frozen)).as("the application's role on the rejoined node").isEqualTo(READ_ONLY);
    }

    @Test
    @Order(8)
    void aKilledPrimarysTrafficGoesToTheNewPrimarysApplication() throws Exception {
        awaitWritable();
        String killed = primary();
        String other = other(killed);
        long epoch = epoch();
        Process process = appliance.nodeProcess(killed);
        process.destroyForcibly();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        HttpResponse<String> held = TestApps.send("GET", appliance.switchUrl() + "/items", null);
        assertThat(held.statusCode()).as("a read held through the failover, then served: " + held.body()).isEqualTo(200);
        assertThat(held.headers().firstValue("X-Test-App")).contains(other);
        assertThat(Long.parseLong(held.headers().firstValue("X-Understudy-Served-Epoch").orElseThrow())).isGreaterThan(epoch);
        assertThat(apps.writeAsApplication(other)).as("on the new primary " + other).isNull();

        // sync mode: writes are acknowledged again once the node, started again by the appliance, follows the new primary
        appliance.awaitNodeBack(killed, Duration.ofMinutes(3));
        awaitWritable();
        HttpResponse<String> written = TestApps.send("PUT", appliance.switchUrl() + "/items/after-the-kill", "x");
        assertThat(written.statusCode()).as(written.body()).isEqualTo(201);
        assertThat(written.headers().firstValue("X-Test-App")).contains(other);
        assertThat(apps.writeAsApplication(killed)).as("on the restarted node " + killed).isEqualTo(READ_ONLY);
    }

    /** Until the appliance has a primary and a healthy secondary, and the primary's application takes a write. */
    private static void awaitWritable() {
        await("a primary with a secondary taking writes").atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() ->
                appliance.status().filter(SwitchStatus::ready).isPresent()
                        && TestApps.send("PUT", appliance.switchUrl() + "/items/probe", "p").statusCode() < 300);
    }

    /**
     * The live primary, once there is one: on a starved machine the appliance itself may be between primaries, so the
     * one the wait saw is the answer; a second look may find none again.
     */
    private static String primary() {
        return await("a live primary").atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(ApplicationGatewayIT::primaryOrNull, Objects::nonNull);
    }

    private static String primaryOrNull() {
        return appliance.status().flatMap(SwitchStatus::primaryNodeId).orElse(null);
    }

    private static long epoch() {
        return appliance.status().map(s -> s.primary() == null ? 0 : s.primary().epoch()).orElse(0L);
    }

    private static String other(String nodeId) {
        return appliance.config().nodeIds().stream().filter(n -> !n.equals(nodeId)).findFirst().orElseThrow();
    }

    private static String error(HttpResponse<String> response) throws Exception {
        JsonNode body = ClusterJson.MAPPER.readTree(response.body());
        return body.path("error").asText();
    }

    private static HttpResponse<String> switchAdmin(String action, String body) throws Exception {
        return TestApps.HTTP.send(HttpRequest.newBuilder(URI.create(appliance.switchUrl() + "/_understudy/" + action))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + AdminToken.loadOrCreate(appliance.config()))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
