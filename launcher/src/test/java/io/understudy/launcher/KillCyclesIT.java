package io.understudy.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Repeated {@code kill -9} of the primary node under a steady stream of keyed writes through the
 * switch, on the real appliance, with an independent history checker: every write the client saw
 * acknowledged is present afterwards with its body and applied exactly once (version 1 of a key
 * written once), and no epoch was ever served by two nodes.
 */
class KillCyclesIT {

    private static final Logger LOG = LoggerFactory.getLogger(KillCyclesIT.class);
    private static final int CYCLES = 2;
    private static final int WRITERS = 2;
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    static Path dir;
    static LocalAppliance appliance;

    /** One acknowledged write as the client saw it. */
    record Ack(String id, String body, long epoch, String node) {
    }

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

    @Test
    void acknowledgedWritesSurviveRepeatedKillNineOnceEach() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        Map<String, Ack> acked = new ConcurrentHashMap<>();
        AtomicInteger failed = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(8);
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            Thread t = new Thread(() -> {
                for (int n = 0; !stop.get() && System.nanoTime() < deadline; n++) {
                    String id = "w" + writer + "-" + n;
                    String body = "{\"writer\":" + writer + ",\"n\":" + n + "}";
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(appliance.switchUrl() + "/api/objects/" + id))
                                .timeout(WRITE_TIMEOUT).header("Content-Type", "application/json")
                                .header("Idempotency-Key", "key-" + id)
                                .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() / 100 == 2) {
                            acked.put(id, new Ack(id, body, r.headers().firstValueAsLong("X-Understudy-Served-Epoch").orElse(-1),
                                    r.headers().firstValue("X-Understudy-Node").orElse("?")));
                        } else {
                            failed.incrementAndGet();
                        }
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    } catch (java.io.IOException e) {
                        failed.incrementAndGet();
                    }
                }
            }, "writer-" + w);
            t.start();
            writers.add(t);
        }

        for (int cycle = 1; cycle <= CYCLES; cycle++) {
            int before = acked.size();
            await().atMost(Duration.ofSeconds(30)).until(() -> acked.size() > before + 20);
            String primary = appliance.primaryNodeId().orElseThrow();
            Process victim = appliance.nodeProcess(primary);
            long killedAt = System.nanoTime();
            victim.destroyForcibly();
            assertThat(victim.waitFor(30, TimeUnit.SECONDS)).isTrue();
            int atKill = acked.size();
            await().atMost(Duration.ofMinutes(1)).until(() -> acked.size() > atKill
                    && appliance.primaryNodeId().filter(p -> !p.equals(primary)).isPresent());
            LOG.info("MEASURED cycle {}: killed {}, writes flowing again after {} ms", cycle, primary,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt));
            appliance.restartNode(primary, Duration.ofMinutes(2));
        }
        stop.set(true);
        for (Thread t : writers) {
            t.join(TimeUnit.SECONDS.toMillis(30));
        }

        LOG.info("checking {} acknowledged writes ({} failed requests)", acked.size(), failed.get());
        Map<Long, Set<String>> nodesByEpoch = new ConcurrentHashMap<>();
        for (Ack ack : acked.values()) {
            nodesByEpoch.computeIfAbsent(ack.epoch(), e -> ConcurrentHashMap.newKeySet()).add(ack.node());
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(appliance.switchUrl() + "/api/objects/" + ack.id()))
                    .timeout(WRITE_TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            assertThat(r.statusCode()).as("acknowledged write %s", ack).isEqualTo(200);
            assertThat(r.body()).as("acknowledged write %s", ack).isEqualTo(ack.body());
            assertThat(r.headers().firstValue("ETag")).isPresent();
        }
        assertThat(nodesByEpoch).as("epoch -> nodes that acknowledged writes in it").allSatisfy(
                (epoch, nodes) -> assertThat(nodes).as("epoch %d", epoch).hasSize(1));
        assertThat(nodesByEpoch.keySet()).as("a failover per cycle").hasSizeGreaterThanOrEqualTo(CYCLES + 1);
        assertExactlyOnce(http, acked.keySet());
    }

    /** Each key was written once by the client, so any version above 1 means a write was applied twice. */
    private static void assertExactlyOnce(HttpClient http, Set<String> ids) throws Exception {
        String primary = appliance.primaryNodeId().orElseThrow();
        for (String id : ids) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(appliance.nodeApiUrl(primary)
                    + "/api/objects?prefix=" + id + "&limit=1")).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.body()).as("versions of %s", id).contains("\"id\":\"" + id + "\"").contains("\"version\":1");
        }
    }
}
