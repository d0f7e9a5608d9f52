package io.understudy.failoverswitch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.understudy.cluster.ClusterJson;
import io.understudy.cluster.CommandRecord;
import io.understudy.cluster.HistoryRecord;
import io.understudy.cluster.Role;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Admin API with its token, history, metrics, TLS and streamed bodies, against real ZooKeeper and HTTP. */
class AdminIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String TOKEN = "test-token-0123456789";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private ClusterFixture cluster;
    private EchoBackend a;
    private SwitchServer server;

    @BeforeEach
    void start() throws Exception {
        cluster = new ClusterFixture();
        a = new EchoBackend("A");
        cluster.promote("a", a.url(), 4);
        cluster.register("b", "http://127.0.0.1:1", Role.SECONDARY, 4);
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        a.close();
        cluster.close();
    }

    private void startSwitch(Map<String, String> extra) throws Exception {
        server = cluster.startSwitch(extra);
        await().atMost(WAIT).until(() -> "a".equals(server.status().route().nodeId()));
    }

    private HttpResponse<String> post(String path, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(WAIT).POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).timeout(WAIT)
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(String body) throws Exception {
        return ClusterJson.MAPPER.readTree(body);
    }

    @Test
    void shouldRefuseAdminActionsWithoutTheToken() throws Exception {
        startSwitch(Map.of("switch.adminToken", TOKEN));

        for (String action : List.of("switchover", "failover", "pause", "resume")) {
            HttpResponse<String> none = post("/_understudy/" + action, null, "{\"to\":\"b\"}");
            HttpResponse<String> wrong = post("/_understudy/" + action, "not-the-token-at-all", "{\"to\":\"b\"}");
            assertThat(none.statusCode()).as(action).isEqualTo(401);
            assertThat(none.headers().firstValue("WWW-Authenticate")).get().asString().startsWith("Bearer");
            assertThat(json(none.body()).path("error").asText()).isEqualTo("unauthorized");
            assertThat(wrong.statusCode()).as(action).isEqualTo(401);
        }
        assertThat(cluster.curator.checkExists().forPath(cluster.paths.commands()) == null
                || cluster.curator.getChildren().forPath(cluster.paths.commands()).isEmpty()).isTrue();
        assertThat(get("/_understudy/status").statusCode()).isEqualTo(200);
        assertThat(get("/_understudy/health").statusCode()).isEqualTo(200);
    }

    @Test
    void shouldWarmUpTheCommandPathWithARefusedRequestThatWritesNothing() throws Exception {
        startSwitch(Map.of("switch.adminToken", TOKEN));

        // the warm-up's own switchover request, answered 400 and counted like any other answer
        await().atMost(WAIT).until(() -> get("/_understudy/metrics").body()
                .contains("understudy_switch_requests_total{status=\"400\"} 1.0"));
        assertThat(cluster.curator.checkExists().forPath(cluster.paths.commands()) == null
                || cluster.curator.getChildren().forPath(cluster.paths.commands()).isEmpty()).isTrue();
    }

    @Test
    void shouldDisableAdminActionsWhenNoTokenIsConfigured() throws Exception {
        startSwitch(Map.of());

        assertThat(post("/_understudy/pause", TOKEN, "").statusCode()).isEqualTo(403);
    }

    @Test
    void shouldWriteSwitchoverAsCommandForTheNodes() throws Exception {
        startSwitch(Map.of("switch.adminToken", TOKEN));

        HttpResponse<String> accepted = post("/_understudy/switchover", TOKEN, "{\"to\":\"b\",\"reason\":\"patch a\"}");
        HttpResponse<String> unknown = post("/_understudy/switchover", TOKEN, "{\"to\":\"zz\"}");
        HttpResponse<String> garbage = post("/_understudy/switchover", TOKEN, "{not json");
        HttpResponse<String> pause = post("/_understudy/pause", TOKEN, "");

        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String znode = json(accepted.body()).path("znode").asText();
        CommandRecord written = ClusterJson.fromBytes(cluster.curator.getData().forPath(znode), CommandRecord.class);
        assertThat(written.type()).isEqualTo(CommandRecord.Type.SWITCHOVER);
        assertThat(written.targetNodeId()).isEqualTo("b");
        assertThat(written.expectedEpoch()).isEqualTo(4);
        assertThat(written.reason()).isEqualTo("patch a");
        assertThat(written.requestedBy()).contains("switch@").contains("127.0.0.1");
        assertThat(unknown.statusCode()).isEqualTo(409);
        assertThat(json(unknown.body()).path("error").asText()).isEqualTo("unknown_node");
        assertThat(garbage.statusCode()).isEqualTo(400);
        assertThat(pause.statusCode()).isEqualTo(202);
        assertThat(cluster.curator.getChildren().forPath(cluster.paths.commands())).hasSize(2);
    }

    @Test
    void shouldShowRecentHistoryNewestFirstAndMetrics() throws Exception {
        startSwitch(Map.of());
        for (long epoch = 1; epoch <= 3; epoch++) {
            cluster.curator.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
                    .forPath(cluster.paths.historyEntry(), ClusterJson.toBytes(new HistoryRecord(
                            HistoryRecord.Type.PROMOTION, "a", null, epoch, epoch, "round " + epoch)));
        }
        assertThat(get("/api/one").statusCode()).isEqualTo(200);

        await().atMost(WAIT).until(() -> json(get("/_understudy/status").body()).path("history").size() == 3);
        JsonNode history = json(get("/_understudy/status").body()).path("history");
        assertThat(history.get(0).path("epoch").asLong()).isEqualTo(3);
        assertThat(history.get(2).path("reason").asText()).isEqualTo("round 1");
        String metrics = get("/_understudy/metrics").body();
        assertThat(metrics).contains("understudy_switch_requests_total{status=\"200\"}")
                .contains("understudy_switch_epoch 4.0")
                .contains("understudy_switch_held_requests 0.0")
                .contains("understudy_switch_primary_changes_total 1.0")
                .contains("understudy_switch_hold_seconds_count{outcome=\"released\"}");
    }

    @Test
    void shouldStreamBodiesLargerThanTheRetryBufferBothWays() throws Exception {
        startSwitch(Map.of("switch.retryBodyBytes", "65536", "switch.maxBufferedBytes", "131072"));
        byte[] data = new byte[16 << 20];
        new Random(7).nextBytes(data);
        String base = "http://127.0.0.1:" + server.port();

        HttpResponse<String> upload = http.send(HttpRequest.newBuilder(URI.create(base + "/sink")).timeout(WAIT)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(data)).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<InputStream> download = http.send(HttpRequest.newBuilder(URI.create(base + "/source?bytes="
                + data.length)).timeout(WAIT).build(), HttpResponse.BodyHandlers.ofInputStream());

        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        assertThat(upload.statusCode()).as(upload.body()).isEqualTo(200);
        assertThat(json(upload.body()).path("bytes").asLong()).isEqualTo(data.length);
        assertThat(json(upload.body()).path("sha256").asText()).isEqualTo(sha);
        assertThat(download.statusCode()).isEqualTo(200);
        try (InputStream in = download.body()) {
            assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(in.readAllBytes())))
                    .isEqualTo(sha);
        }
        assertThat(json(get("/_understudy/status").body()).path("route").path("heldRequests").asInt()).isZero();
    }

    @Test
    void shouldServeClientsOverTlsFromTheConfiguredKeystore(@TempDir Path dir) throws Exception {
        Path keystore = dir.resolve("switch.p12");
        Process keytool = new ProcessBuilder("keytool", "-genkeypair", "-alias", "switch", "-keyalg", "RSA",
                "-keysize", "2048", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", "changeit")
                .redirectErrorStream(true).start();
        assertThat(keytool.waitFor()).as(new String(keytool.getInputStream().readAllBytes())).isZero();
        startSwitch(Map.of("switch.tls.keystore", keystore.toString(), "switch.tls.keystorePassword", "changeit"));

        KeyStore trusted = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            trusted.load(in, "changeit".toCharArray());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trust.getTrustManagers(), null);
        HttpClient https = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1).build();

        HttpResponse<String> response = https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:"
                + server.port() + "/api/secure")).timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response.body()).path("xForwardedProto").asText()).isEqualTo("https");
        assertThat(json(response.body()).path("epoch").asText()).isEqualTo("4");
    }
}
