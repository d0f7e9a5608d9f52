package io.understudy.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.understudy.cluster.ClusterJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
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
 * Fast and safe detection on the real appliance (separate processes, the default timings): a
 * 500 ms freeze of the primary's JVM and the loss of any one ZooKeeper server, the leader
 * included, cause no failover and no failed client request; a primary frozen past its session
 * never acknowledges a write after it wakes, even one sent straight to it, and rejoins as a
 * secondary. The failover test runs last, on the same appliance.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DetectionIT {

    private static final Logger LOG = LoggerFactory.getLogger(DetectionIT.class);
    private static final Duration SHORT_FREEZE = Duration.ofMillis(500);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;
    static LocalAppliance appliance;

    @BeforeAll
    static void start() {
        appliance = new LocalAppliance(TestPorts.applianceOnFreePorts(dir.resolve("data")), TestPorts.childClasspath());
        appliance.start(Duration.ofMinutes(4));
    }

    @AfterAll
    static void stop() {
        if (appliance != null) {
            appliance.close();
        }
    }

    /** Who is primary in which epoch, and the promotions and demotions so far. */
    record Standing(String primary, long epoch, String history) {
    }

    @Test
    @Order(1)
    void aHalfSecondFreezeOfThePrimaryCausesNoFailover() throws Exception {
        Standing before = standing();
        long pid = appliance.nodeProcess(before.primary()).pid();
        try (SwitchWriteLoad load = new SwitchWriteLoad(appliance.switchUrl(), "freeze", 2); Signals signals = new Signals()) {
            awaitMoreAcks(load, 20);
            for (int round = 1; round <= 3; round++) {
                long stopped = signals.send("STOP", pid);
                // The fault itself lasts this long; nothing here waits for a condition.
                Thread.sleep(SHORT_FREEZE.toMillis());
                long frozenMs = TimeUnit.NANOSECONDS.toMillis(signals.send("CONT", pid) - stopped);
                LOG.info("MEASURED freeze {} of primary {}: {} ms", round, before.primary(), frozenMs);
                // Far above 500 ms the freeze is another test's fault (past the session) and proves nothing here.
                assumeTrue(frozenMs < SHORT_FREEZE.toMillis() + 200, "the loaded machine stretched the freeze to " + frozenMs + " ms");
                awaitMoreAcks(load, 50);
            }
            load.close();
            assertThat(load.failures()).as("failed client requests").isEmpty();
        }
        assertThat(standing()).as("primary, epoch and history after three 500 ms freezes").isEqualTo(before);
    }

    @Test
    @Order(2)
    void losingAZooKeeperFollowerCausesNoFailover() throws Exception {
        Standing before = standing();
        try (SwitchWriteLoad load = new SwitchWriteLoad(appliance.switchUrl(), "zk", 2)) {
            awaitMoreAcks(load, 20);
            int leader = appliance.zooKeeperLeaderId();
            for (int server : new int[] {leader % 3 + 1, (leader + 1) % 3 + 1}) {
                bounceZooKeeperServer(load, server, "a follower");
            }
            load.close();
            assertThat(load.failures()).as("failed client requests").isEmpty();
            assertThat(load.acked().values()).as("writes served by the one primary")
                    .allSatisfy(ack -> assertThat(ack.epoch()).isEqualTo(before.epoch()));
        }
        assertThat(standing()).as("primary, epoch and history after losing each ZooKeeper follower").isEqualTo(before);
    }

    /**
     * Losing the ZooKeeper leader adds an election and the client's random reconnect back-off to the disconnection;
     * on a loaded machine that sometimes outlasts the 1.8 s session, and the primary fails over (a documented limit,
     * see the README's Timings). Whether or not it does, no client request may fail and no epoch may have two nodes.
     */
    @Test
    @Order(3)
    void losingTheZooKeeperLeaderFailsNoRequest() throws Exception {
        try (SwitchWriteLoad load = new SwitchWriteLoad(appliance.switchUrl(), "zkl", 2)) {
            awaitMoreAcks(load, 20);
            bounceZooKeeperServer(load, appliance.zooKeeperLeaderId(), "the leader");
            load.close();
            assertThat(load.failures()).as("failed client requests").isEmpty();
            Map<Long, Set<String>> nodesByEpoch = load.acked().values().stream().collect(Collectors.groupingBy(
                    ack -> ack.epoch(), Collectors.mapping(ack -> ack.node(), Collectors.toSet())));
            assertThat(nodesByEpoch.values()).as("nodes that acknowledged writes, per epoch").allSatisfy(
                    nodes -> assertThat(nodes).hasSize(1));
            LOG.info("after losing the ZooKeeper leader: epochs served {}", nodesByEpoch);
        }
        await("a healthy secondary again").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                .until(() -> appliance.status().filter(SwitchStatus::ready).isPresent());
    }

    @Test
    @Order(4)
    void aPrimaryFrozenPastItsSessionNeverAcknowledgesAWriteAfterItWakes() throws Exception {
        Standing before = standing();
        String frozen = before.primary();
        String other = frozen.equals("a") ? "b" : "a";
        long pid = appliance.nodeProcess(frozen).pid();
        Signals signals = new Signals();
        signals.send("STOP", pid);
        try {
            await("node " + other + " primary of a newer epoch").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100))
                    .until(() -> appliance.status().filter(s -> s.primary() != null && s.primary().live()
                            && s.primary().nodeId().equals(other) && s.primary().epoch() > before.epoch()).isPresent());
        } catch (RuntimeException | AssertionError e) {
            signals.send("CONT", pid);
            signals.close();
            throw e;
        }
        String id = "fenced-write";
        byte[] body = "{\"from\":\"a client that still knows the old primary\"}".getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket()) {
            // The kernel accepts the connection and buffers the request while the JVM is stopped.
            socket.connect(new InetSocketAddress(ApplianceConfig.HOST, appliance.config().nodeApiPort(frozen)), 3000);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("PUT /api/objects/" + id + " HTTP/1.1\r\nHost: " + ApplianceConfig.HOST + "\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            signals.send("CONT", pid);
            signals.close();
            String answer = readAnswer(socket.getInputStream());
            LOG.info("the woken old primary answered the write sent to it while frozen: {}", answer.lines().findFirst().orElse("(nothing)"));
            assertThat(answer).as("answer of the woken old primary").doesNotStartWith("HTTP/1.1 2");
        }
        await("old primary " + frozen + " rejoins as a secondary").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                .until(() -> appliance.status().filter(s -> s.members().stream().anyMatch(m -> m.nodeId().equals(frozen)
                        && m.role().equals("SECONDARY") && m.healthy())).isPresent());
        assertThat(get(appliance.nodeApiUrl(other), id).statusCode()).as("the fenced write on the new primary").isEqualTo(404);
        assertThat(get(appliance.switchUrl(), id).statusCode()).as("the fenced write through the switch").isEqualTo(404);
        assertThat(get(appliance.nodeApiUrl(frozen), id).statusCode()).as("the fenced write on the rejoined node").isEqualTo(404);
        Standing after = standing();
        assertThat(after.primary()).isEqualTo(other);
        assertThat(after.epoch()).isEqualTo(before.epoch() + 1);
    }

    /** Stops ZooKeeper server {@code server} while writes go on, then starts it again; writes must keep being acknowledged. */
    private static void bounceZooKeeperServer(SwitchWriteLoad load, int server, String which) {
        LOG.info("stopping ZooKeeper server {} ({})", server, which);
        appliance.stopZooKeeperServer(server);
        awaitMoreAcks(load, 50);
        appliance.startZooKeeperServer(server, Duration.ofMinutes(1));
        awaitMoreAcks(load, 20);
    }

    private static void awaitMoreAcks(SwitchWriteLoad load, int more) {
        int from = load.ackCount();
        await(more + " more acknowledged writes").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(50))
                .until(() -> load.ackCount() >= from + more);
    }

    private static Standing standing() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(appliance.switchUrl() + "/_understudy/status"))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        JsonNode status = ClusterJson.MAPPER.readTree(r.body());
        StringBuilder history = new StringBuilder();
        for (JsonNode entry : status.path("history")) {
            if (!entry.path("type").asText().equals("COMMAND")) {
                history.append(entry.path("type").asText()).append(' ').append(entry.path("nodeId").asText()).append('@')
                        .append(entry.path("epoch").asLong()).append("; ");
            }
        }
        return new Standing(status.path("primary").path("nodeId").asText(), status.path("primary").path("epoch").asLong(),
                history.toString());
    }

    private static HttpResponse<String> get(String baseUrl, String id) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + "/api/objects/" + id)).timeout(Duration.ofSeconds(20))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Everything the server sends until it closes the connection; empty when it never answers. */
    private static String readAnswer(InputStream in) throws IOException {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        try {
            for (int n; (n = in.read(buffer)) != -1; ) {
                answer.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException | java.net.SocketException e) {
            LOG.info("no complete answer: {}", e.toString());
        }
        return answer.toString(StandardCharsets.UTF_8);
    }
}
