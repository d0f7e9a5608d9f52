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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code understudy drill --kind kill} as a new user runs it: {@code understudy local} and the drill
 * each in its own JVM from the shaded jar. The drill's load goes through a recording proxy, which
 * is this test's own client log; the test then reads every acknowledged write back from every node
 * itself and checks that the report's figures are the ones it counted.
 */
class DrillIT {

    private static final Logger LOG = LoggerFactory.getLogger(DrillIT.class);
    /** A consistency bound between two clocks measuring the same gap (the proxy's and the drill's), not a speed target. */
    private static final long GAP_AGREEMENT_MS = 1000;

    /** Kept when a test fails, for its logs and the report. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private final List<Process> started = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    @AfterEach
    void stopEverything() throws Exception {
        for (Process process : started) {
            process.destroy();
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        }
    }

    @Test
    void killDrillReportsTheFiguresAnIndependentCountFinds() throws Exception {
        ApplianceConfig config = TestPorts.applianceOnFreePorts(dir.resolve("data"));
        started.add(CliProcesses.start(dir, "local", CliProcesses.localArgs(config)));
        CliProcesses.awaitBanner(dir, "local");
        StatusClient status = new StatusClient(config.switchUrl());
        await("a primary and a healthy secondary").atMost(Duration.ofMinutes(2))
                .until(() -> status.fetch().map(SwitchStatus::ready).orElse(false));
        String victim = status.fetch().orElseThrow().primaryNodeId().orElseThrow();
        long victimPid = Long.parseLong(Files.readString(config.dataDir().resolve("run/node-" + victim + ".pid")).trim());
        Path reports = dir.resolve("reports");

        List<RecordingProxy.Exchange> log;
        try (RecordingProxy proxy = RecordingProxy.start(config.switchUrl())) {
            Process drill = CliProcesses.start(dir, "drill", List.of("drill", "--kind", "kill", "--duration", "20s", "--rate", "20",
                    "--url", config.switchUrl(), "--load-url", proxy.url(), "--data-dir", config.dataDir().toString(),
                    "--report-dir", reports.toString(), "--rejoin-wait", "0s", "--json"));
            started.add(drill);
            assertThat(drill.waitFor(6, TimeUnit.MINUTES)).as("the drill ends").isTrue();
            assertThat(drill.exitValue()).as(Files.readString(dir.resolve("drill.log"))).isZero();
            log = proxy.exchanges();
        }
        JsonNode summary = ClusterJson.MAPPER.readTree(Files.readString(dir.resolve("drill.out")));
        Path json = Path.of(summary.path("report").asText());
        JsonNode report = ClusterJson.MAPPER.readTree(Files.readString(json));
        JsonNode figures = report.path("figures");
        LOG.info("MEASURED drill kill: RTO {} ms, {} acknowledged writes, {} lost, {} failed requests",
                figures.path("rtoMs").asLong(), figures.path("acknowledgedWrites").asLong(), report.path("lostWrites").asLong(),
                figures.path("failedRequests").asLong());

        // What the proxy saw the client send and get back.
        List<RecordingProxy.Exchange> puts = log.stream().filter(e -> e.method().equals("PUT")
                && e.path().startsWith("/api/objects/")).toList();
        List<RecordingProxy.Exchange> gets = log.stream().filter(e -> e.method().equals("GET")
                && e.path().startsWith("/api/objects/")).toList();
        Map<String, String> acked = new TreeMap<>();
        puts.stream().filter(e -> e.status() / 100 == 2).forEach(e -> acked.put(id(e), e.requestBody()));
        Map<String, Long> sendsPerId = puts.stream().collect(Collectors.groupingBy(DrillIT::id, Collectors.counting()));
        assertThat(figures.path("writeAttempts").asLong()).isEqualTo(puts.size());
        assertThat(figures.path("acknowledgedWrites").asLong()).isEqualTo(acked.size());
        assertThat(figures.path("failedWriteAttempts").asLong()).isEqualTo(puts.stream().filter(e -> e.status() / 100 != 2).count());
        assertThat(figures.path("retriedWrites").asLong()).isEqualTo(sendsPerId.values().stream().filter(n -> n > 1).count());
        assertThat(figures.path("reads").asLong()).isEqualTo(gets.size());
        assertThat(figures.path("okReads").asLong()).isEqualTo(gets.stream()
                .filter(e -> e.status() == 200 && e.responseBody().equals(acked.get(id(e)))).count());
        assertThat(figures.path("rtoMs").asLong()).as("the drill's RTO against the proxy's longest gap between acknowledged writes")
                .isCloseTo(longestGapMs(puts), org.assertj.core.data.Offset.offset(GAP_AGREEMENT_MS));

        // What each node holds, read by this test from each node's own address.
        JsonNode after = ClusterJson.MAPPER.readTree(get(config.switchUrl() + "/_understudy/status").body());
        String newPrimary = after.path("primary").path("nodeId").asText();
        long worst = -1;
        for (JsonNode check : report.path("nodes")) {
            String node = check.path("nodeId").asText();
            if (!check.path("checked").asBoolean()) {
                // The appliance starts a killed node again; with --rejoin-wait 0s it may not be back yet.
                assertThat(check.path("note").asText()).as("why " + node + " was not checked").isNotBlank();
                continue;
            }
            long missing = acked.entrySet().stream().filter(w -> !w.getValue().equals(bodyOn(config.nodeApiUrl(node), w.getKey())))
                    .count();
            worst = Math.max(worst, missing);
            assertThat(check.path("missing").asLong()).as("acknowledged writes missing on " + node).isEqualTo(missing);
        }
        assertThat(report.path("nodes").findValuesAsText("nodeId")).containsExactlyInAnyOrderElementsOf(config.nodeIds());
        assertThat(report.path("nodes")).filteredOn(n -> n.path("nodeId").asText().equals(newPrimary))
                .singleElement().satisfies(n -> assertThat(n.path("checked").asBoolean()).isTrue());
        assertThat(report.path("lostWrites").asLong()).isEqualTo(worst);

        // The fault and the recovery the report describes are the ones that happened.
        assertThat(report.path("kind").asText()).isEqualTo("kill");
        assertThat(report.path("fault").path("victim").asText()).isEqualTo(victim);
        assertThat(report.path("fault").path("description").asText()).contains("pid " + victimPid);
        assertThat(ProcessHandle.of(victimPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(report.path("fault").path("newPrimary").asText()).isEqualTo(newPrimary).isNotEqualTo(victim);
        assertThat(report.path("verdict").path("passed").asBoolean()).isTrue();

        String name = report.path("name").asText();
        assertThat(reports.resolve(name + ".md")).content().contains("RTO").contains(name);
        assertThat(reports.resolve(name + ".html")).content().contains("<svg").doesNotContain("<script")
                .doesNotContain("src=").doesNotContain("<link");
        assertThat(Files.readAllLines(reports.resolve(name + ".requests.jsonl"))).hasSize(puts.size() + gets.size());
        JsonNode drills = ClusterJson.MAPPER.readTree(get(config.switchUrl() + "/_understudy/drills").body()).path("drills");
        assertThat(drills.get(0).path("drill").path("report").asText()).isEqualTo(name);
        assertThat(drills.get(0).path("drill").path("rtoMs").asLong()).isEqualTo(figures.path("rtoMs").asLong());
        assertThat(drills.get(0).path("nodeId").asText()).isEqualTo(victim);
    }

    private static String id(RecordingProxy.Exchange e) {
        return e.path().substring("/api/objects/".length());
    }

    /** The longest time between consecutive acknowledged writes, as the proxy timed them. */
    private static long longestGapMs(List<RecordingProxy.Exchange> puts) {
        List<Long> ends = puts.stream().filter(e -> e.status() / 100 == 2).map(RecordingProxy.Exchange::endNanos).sorted().toList();
        long longest = 0;
        for (int i = 1; i < ends.size(); i++) {
            longest = Math.max(longest, ends.get(i) - ends.get(i - 1));
        }
        return longest / 1_000_000;
    }

    private String bodyOn(String apiUrl, String id) {
        try {
            HttpResponse<String> r = get(apiUrl + "/api/objects/" + id);
            return r.statusCode() == 200 ? r.body() : null;
        } catch (Exception e) {
            throw new IllegalStateException("node " + apiUrl + " does not answer", e);
        }
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }
}
