package io.understudy.failoverswitch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.understudy.cluster.ClusterJson;
import io.understudy.cluster.ClusterSettings;
import io.understudy.cluster.HistoryRecord;
import io.understudy.cluster.Role;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Cluster settings, history and drill records through the switch's admin API, against real ZooKeeper and HTTP. */
class OperatorEndpointsIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String TOKEN = "test-token-0123456789";
    private static final String DRILL = "{\"kind\":\"freeze\",\"nodeId\":\"a\",\"passed\":true,\"verdict\":\"passed\","
            + "\"rtoMs\":2100,\"lostWrites\":0,\"acknowledgedWrites\":900,\"failedRequests\":0,\"retriedWrites\":0,"
            + "\"duplicates\":0,\"durationMs\":30000,\"report\":\"drill-freeze-1\"}";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private ClusterFixture cluster;
    private SwitchServer server;

    @BeforeEach
    void start() throws Exception {
        cluster = new ClusterFixture();
        cluster.promote("a", "http://127.0.0.1:1", 4);
        cluster.register("b", "http://127.0.0.1:2", Role.SECONDARY, 4);
        server = cluster.startSwitch(Map.of("switch.adminToken", TOKEN));
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        cluster.close();
    }

    private HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(WAIT).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return ClusterJson.MAPPER.readTree(response.body());
    }

    private ClusterSettings stored() throws Exception {
        return ClusterJson.fromBytes(cluster.curator.getData().forPath(cluster.paths.config()), ClusterSettings.class);
    }

    private List<HistoryRecord> history() throws Exception {
        return cluster.curator.getChildren().forPath(cluster.paths.history()).stream().sorted().map(child -> {
            try {
                return ClusterJson.fromBytes(cluster.curator.getData().forPath(cluster.paths.history() + "/" + child),
                        HistoryRecord.class);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    @Test
    void shouldValidateASettingBeforeWritingItAndRecordTheChange() throws Exception {
        HttpResponse<String> shown = send("GET", "/_understudy/config", null, null);
        HttpResponse<String> bad = send("PUT", "/_understudy/config", TOKEN, "{\"set\":{\"maxLagOnFailoverBytes\":\"0\"}}");
        HttpResponse<String> unknown = send("PUT", "/_understudy/config", TOKEN,
                "{\"set\":{\"maxLagOnFailoverBytes\":5000,\"holdTimeout\":1}}");
        HttpResponse<String> noToken = send("PUT", "/_understudy/config", null, "{\"set\":{\"maxLagOnFailoverBytes\":5000}}");
        HttpResponse<String> good = send("PUT", "/_understudy/config", TOKEN,
                "{\"set\":{\"maxLagOnFailoverBytes\":5000},\"reason\":\"slow disk on b\"}");

        assertThat(shown.statusCode()).isEqualTo(200);
        assertThat(json(shown).path("settings").path("maxLagOnFailoverBytes").asLong()).isEqualTo(1L << 20);
        assertThat(json(shown).path("settable").get(0).path("name").asText()).isEqualTo("maxLagOnFailoverBytes");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json(bad).path("error").asText()).isEqualTo("bad_setting");
        assertThat(json(bad).path("message").asText()).contains("maxLagOnFailoverBytes must be between 1 and");
        assertThat(unknown.statusCode()).as("nothing half-applied").isEqualTo(400);
        assertThat(noToken.statusCode()).isEqualTo(401);
        assertThat(good.statusCode()).as(good.body()).isEqualTo(200);
        assertThat(json(good).path("changes").get(0).path("to").asText()).isEqualTo("5000");
        assertThat(stored()).isEqualTo(new ClusterSettings(false, null, 5000));
        assertThat(history()).singleElement().satisfies(record -> {
            assertThat(record.type()).isEqualTo(HistoryRecord.Type.CONFIG);
            assertThat(record.epoch()).isEqualTo(4);
            assertThat(record.reason()).startsWith("maxLagOnFailoverBytes 1048576 -> 5000 by switch@")
                    .endsWith("(slow disk on b)");
        });
        await().atMost(WAIT).until(() -> json(send("GET", "/_understudy/config", null, null))
                .path("settings").path("maxLagOnFailoverBytes").asLong() == 5000);
        assertThat(json(send("GET", "/_understudy/status", null, null)).path("settings").path("maxLagOnFailoverBytes")
                .asLong()).isEqualTo(5000);
    }

    @Test
    void shouldKeepThePauseFlagWhenAnotherKeyIsSet() throws Exception {
        cluster.curator.create().creatingParentsIfNeeded().forPath(cluster.paths.config(),
                ClusterJson.toBytes(ClusterSettings.DEFAULTS.withPause(true, "maintenance")));

        HttpResponse<String> set = send("PUT", "/_understudy/config", TOKEN, "{\"set\":{\"maxLagOnFailoverBytes\":\"7\"}}");
        HttpResponse<String> pauseFlag = send("PUT", "/_understudy/config", TOKEN, "{\"set\":{\"failoverPaused\":false}}");

        assertThat(set.statusCode()).isEqualTo(200);
        assertThat(pauseFlag.statusCode()).isEqualTo(400);
        assertThat(json(pauseFlag).path("message").asText()).contains("pause and resume");
        assertThat(stored()).isEqualTo(new ClusterSettings(true, "maintenance", 7));
    }

    @Test
    void shouldRecordADrillAndListDrillsApartFromTheRestOfHistory() throws Exception {
        HttpResponse<String> noToken = send("POST", "/_understudy/drills", null, DRILL);
        HttpResponse<String> wrongToken = send("POST", "/_understudy/drills", "nope", DRILL);
        HttpResponse<String> malformed = send("POST", "/_understudy/drills", TOKEN, DRILL.replace("\"rtoMs\":2100", "\"rtoMs\":\"x\""));
        send("PUT", "/_understudy/config", TOKEN, "{\"set\":{\"maxLagOnFailoverBytes\":5000}}");
        HttpResponse<String> recorded = send("POST", "/_understudy/drills", TOKEN, DRILL);

        assertThat(noToken.statusCode()).isEqualTo(401);
        assertThat(wrongToken.statusCode()).isEqualTo(401);
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(recorded.statusCode()).as(recorded.body()).isEqualTo(201);
        assertThat(history()).extracting(HistoryRecord::type)
                .containsExactly(HistoryRecord.Type.CONFIG, HistoryRecord.Type.DRILL_REPORT);
        await().atMost(WAIT).until(() -> json(send("GET", "/_understudy/history", null, null)).path("history").size() == 2);
        JsonNode drills = json(send("GET", "/_understudy/drills", null, null)).path("drills");
        assertThat(drills).hasSize(1);
        assertThat(drills.get(0).path("type").asText()).isEqualTo("DRILL_REPORT");
        assertThat(drills.get(0).path("nodeId").asText()).isEqualTo("a");
        assertThat(drills.get(0).path("epoch").asLong()).isEqualTo(4);
        assertThat(drills.get(0).path("drill").path("rtoMs").asLong()).isEqualTo(2100);
        assertThat(drills.get(0).path("drill").path("report").asText()).isEqualTo("drill-freeze-1");
        JsonNode newest = json(send("GET", "/_understudy/history?limit=1", null, null)).path("history");
        assertThat(newest).hasSize(1);
        assertThat(newest.get(0).path("type").asText()).isEqualTo("DRILL_REPORT");
        assertThat(send("GET", "/_understudy/history?limit=0", null, null).statusCode()).isEqualTo(400);
        assertThat(send("DELETE", "/_understudy/drills", TOKEN, null).statusCode()).isEqualTo(405);
    }
}
