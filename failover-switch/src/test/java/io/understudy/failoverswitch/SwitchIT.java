package io.understudy.failoverswitch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.understudy.cluster.ClusterJson;
import io.understudy.cluster.MemberRecord;
import io.understudy.cluster.PrimaryRecord;
import io.understudy.cluster.Role;
import io.understudy.cluster.config.ConfigException;
import io.understudy.cluster.config.Settings;
import io.understudy.cluster.zk.ZkPaths;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SwitchIT {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ZkPaths paths = new ZkPaths("it");
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private TestingServer zk;
    private CuratorFramework curator;
    private EchoBackend a;
    private EchoBackend b;
    private SwitchServer server;

    @BeforeEach
    void start() throws Exception {
        zk = new TestingServer(true);
        curator = CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryOneTime(100));
        curator.start();
        a = new EchoBackend("A");
        b = new EchoBackend("B");
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        a.close();
        b.close();
        curator.close();
        zk.close();
    }

    private SwitchServer startSwitch(Map<String, String> extra) throws Exception {
        Map<String, String> values = new java.util.HashMap<>(Map.of(
                "cluster.name", "it", "zookeeper.connect", zk.getConnectString(), "switch.port", "0",
                "zookeeper.sessionTimeoutMs", "4000"));
        values.putAll(extra);
        server = SwitchServer.start(SwitchConfig.from(Settings.of("test", values)));
        return server;
    }

    private void register(String nodeId, String apiUrl, Role role, long epoch) throws Exception {
        register(nodeId, apiUrl, role, epoch, MemberRecord.Candidacy.UNKNOWN);
    }

    private void register(String nodeId, String apiUrl, Role role, long epoch, MemberRecord.Candidacy candidacy)
            throws Exception {
        MemberRecord member = new MemberRecord(nodeId, apiUrl, "db", role, epoch, 0, role == Role.SECONDARY ? 12 : -1,
                true, "test", 0, io.understudy.cluster.ReplicationInfo.NONE, candidacy);
        byte[] bytes = ClusterJson.toBytes(member);
        try {
            curator.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL)
                    .forPath(paths.member(nodeId), bytes);
        } catch (KeeperException.NodeExistsException e) {
            curator.setData().forPath(paths.member(nodeId), bytes);
        }
    }

    /** What a promotion looks like from outside: the member says PRIMARY in the epoch, then /primary names it. */
    private void promote(String nodeId, String apiUrl, long epoch) throws Exception {
        register(nodeId, apiUrl, Role.PRIMARY, epoch);
        setPrimary(nodeId, apiUrl, epoch);
    }

    private void setPrimary(String nodeId, String apiUrl, long epoch) throws Exception {
        byte[] record = ClusterJson.toBytes(new PrimaryRecord(nodeId, apiUrl, "db", epoch, 0, null, 0));
        try {
            curator.create().creatingParentContainersIfNeeded().forPath(paths.primary(), record);
        } catch (KeeperException.NodeExistsException e) {
            curator.setData().forPath(paths.primary(), record);
        }
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        return http.send(request(path, headers), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String path, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(WAIT);
        if (headers.length > 0) {
            builder.headers(headers);
        }
        return builder.build();
    }

    private static JsonNode json(String body) throws IOException {
        return ClusterJson.MAPPER.readTree(body);
    }

    private JsonNode status() throws Exception {
        return json(get("/_understudy/status").body());
    }

    private void awaitRoutedTo(String nodeId) {
        await().atMost(WAIT).until(() -> nodeId.equals(status().path("route").path("nodeId").asText(null)));
    }

    private void awaitHeld(int count) {
        await().atMost(WAIT).until(() -> status().path("route").path("heldRequests").asInt() == count);
    }

    @Test
    void shouldForwardToLivePrimaryWithItsEpochInsteadOfTheClients() throws Exception {
        startSwitch(Map.of());
        promote("a", a.url(), 1);
        awaitRoutedTo("a");

        HttpResponse<String> response = get("/api/objects/x?prefix=r", "X-Understudy-Epoch", "99",
                "X-Forwarded-For", "10.9.9.9", "X-Forwarded-Host", "evil.example");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode echo = json(response.body());
        assertThat(echo.path("name").asText()).isEqualTo("A");
        assertThat(echo.path("epoch").asText()).isEqualTo("1");
        assertThat(echo.path("epochHeaders").asInt()).isEqualTo(1);
        assertThat(echo.path("path").asText()).isEqualTo("/api/objects/x");
        assertThat(echo.path("query").asText()).isEqualTo("prefix=r");
        assertThat(echo.path("xForwardedFor").asText()).isEqualTo("127.0.0.1");
        assertThat(echo.path("xForwardedProto").asText()).isEqualTo("http");
        assertThat(echo.path("xForwardedHost").asText()).isEqualTo("127.0.0.1:" + server.port());
    }

    @Test
    void shouldMoveKeptAliveClientConnectionToNewPrimaryAndCloseOldBackendConnections() throws Exception {
        startSwitch(Map.of());
        promote("a", a.url(), 1);
        register("b", b.url(), Role.SECONDARY, 1);
        awaitRoutedTo("a");

        try (RawHttpConnection client = new RawHttpConnection(server.port())) {
            RawHttpConnection.Response first = client.get("/api/first");
            assertThat(json(first.body()).path("name").asText()).isEqualTo("A");
            assertThat(json(first.body()).path("epoch").asText()).isEqualTo("1");
            assertThat(a.openConnections()).isEqualTo(1);

            promote("b", b.url(), 2);
            awaitRoutedTo("b");

            RawHttpConnection.Response second = client.get("/api/second");
            assertThat(second.status()).isEqualTo(200);
            assertThat(json(second.body()).path("name").asText()).isEqualTo("B");
            assertThat(json(second.body()).path("epoch").asText()).isEqualTo("2");
            await().atMost(WAIT).until(() -> a.openConnections() == 0);
        }
    }

    @Test
    void shouldReuseBackendConnectionsAcrossRequests() throws Exception {
        startSwitch(Map.of());
        promote("a", a.url(), 1);
        awaitRoutedTo("a");

        try (RawHttpConnection client = new RawHttpConnection(server.port())) {
            for (int i = 0; i < 50; i++) {
                assertThat(client.get("/api/pooled-" + i).status()).isEqualTo(200);
            }
        }

        assertThat(a.acceptedConnections()).isEqualTo(1);
    }

    @Test
    void shouldHoldRequestWhileThereIsNoPrimaryAndForwardWhenOneAppears() throws Exception {
        startSwitch(Map.of("switch.holdTimeoutMs", "20000"));
        CompletableFuture<HttpResponse<String>> pending =
                http.sendAsync(request("/api/held"), HttpResponse.BodyHandlers.ofString());
        awaitHeld(1);
        assertThat(pending).isNotDone();

        promote("a", a.url(), 4);

        HttpResponse<String> response = pending.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response.body()).path("name").asText()).isEqualTo("A");
        assertThat(json(response.body()).path("epoch").asText()).isEqualTo("4");
        assertThat(status().path("route").path("heldRequests").asInt()).isZero();
    }

    @Test
    void shouldForwardHeldRequestBodyIntact() throws Exception {
        startSwitch(Map.of("switch.holdTimeoutMs", "20000"));
        String document = "{\"report\":\"" + "x".repeat(100_000) + "\"}";
        CompletableFuture<HttpResponse<String>> pending = http.sendAsync(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/api/objects/r1"))
                .PUT(HttpRequest.BodyPublishers.ofString(document)).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
        awaitHeld(1);

        promote("a", a.url(), 1);

        HttpResponse<String> response = pending.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode echo = json(response.body());
        assertThat(echo.path("method").asText()).as(response.body()).isEqualTo("PUT");
        assertThat(echo.path("body").asText()).isEqualTo(document);
    }

    @Test
    void shouldAnswer504JsonWhenPrimaryDoesNotAnswerInTime() throws Exception {
        startSwitch(Map.of("switch.backendTimeoutMs", "300"));
        promote("a", a.url(), 1);
        awaitRoutedTo("a");

        HttpResponse<String> response = get("/hang");

        assertThat(response.statusCode()).isEqualTo(504);
        assertThat(json(response.body()).path("error").asText()).isEqualTo("backend_timeout");
        assertThat(json(response.body()).path("message").asText()).contains("a@1");
    }

    @Test
    void shouldAnswer503WithRetryAfterWhenNoPrimaryAppearsInTime() throws Exception {
        startSwitch(Map.of("switch.holdTimeoutMs", "300"));
        setPrimary("a", a.url(), 1); // a record whose node is not registered: not live

        HttpResponse<String> response = get("/api/late");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).contains("1");
        assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
        JsonNode body = json(response.body());
        assertThat(body.path("error").asText()).isEqualTo("no_primary");
        assertThat(body.path("retryAfterSeconds").asInt()).isEqualTo(1);
        assertThat(body.path("message").asText()).contains("300 ms").contains("a@1 is not registered");
    }

    @Test
    void shouldSayLoudlyWhyNobodyTakesOverWhenNoMemberIsEligible() throws Exception {
        startSwitch(Map.of("switch.holdTimeoutMs", "300"));
        register("b", b.url(), Role.SECONDARY, 1, new MemberRecord.Candidacy(false, "tags.nofailover is set", 100, true, 0));
        setPrimary("a", a.url(), 1); // a is gone; b may not take over
        String why = "no eligible candidate: b: tags.nofailover is set";
        await().atMost(WAIT).until(() -> why.equals(status().path("failover").path("blocked").asText(null)));

        JsonNode status = status();
        assertThat(status.path("failover").path("eligible").size()).isZero();
        assertThat(status.path("members").get(0).path("eligible").asBoolean()).isFalse();
        assertThat(status.path("members").get(0).path("eligibility").asText()).isEqualTo("tags.nofailover is set");
        assertThat(status.path("members").get(0).path("nofailover").asBoolean()).isTrue();
        HttpResponse<String> refused = get("/api/late");
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(json(refused.body()).path("message").asText()).contains("a@1 is not registered").contains(why);
        assertThat(get("/_understudy/metrics").body()).contains("understudy_switch_failover_candidates 0.0");

        register("b", b.url(), Role.SECONDARY, 1, new MemberRecord.Candidacy(true, "streaming from a@1", 100, false, 9));
        await().atMost(WAIT).until(() -> status().path("failover").path("blocked").isNull());
        assertThat(status().path("failover").path("eligible").get(0).asText()).isEqualTo("b");
        assertThat(get("/_understudy/metrics").body()).contains("understudy_switch_failover_candidates 1.0");
    }

    @Test
    void shouldAnswer503AtOnceWhenTooManyRequestsAreHeld() throws Exception {
        startSwitch(Map.of("switch.holdTimeoutMs", "20000", "switch.maxHeldRequests", "1"));
        CompletableFuture<HttpResponse<String>> first =
                http.sendAsync(request("/api/one"), HttpResponse.BodyHandlers.ofString());
        awaitHeld(1);

        HttpResponse<String> second = get("/api/two");

        assertThat(second.statusCode()).isEqualTo(503);
        assertThat(json(second.body()).path("message").asText()).contains("1 requests are already waiting");
        assertThat(first).isNotDone();
        promote("a", a.url(), 1);
        assertThat(first.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    @Test
    void shouldHoldRequestRefusedByPrimaryUntilTheNextPrimaryTakesIt() throws Exception {
        String deadUrl;
        try (ServerSocket reserved = new ServerSocket(0)) {
            deadUrl = "http://127.0.0.1:" + reserved.getLocalPort();
        }
        startSwitch(Map.of("switch.holdTimeoutMs", "20000"));
        promote("dead", deadUrl, 1);
        awaitRoutedTo("dead");

        CompletableFuture<HttpResponse<String>> pending =
                http.sendAsync(request("/api/refused", "X-Understudy-Epoch", "1"), HttpResponse.BodyHandlers.ofString());
        awaitHeld(1);
        promote("b", b.url(), 2);

        HttpResponse<String> response = pending.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response.body()).path("name").asText()).isEqualTo("B");
        assertThat(json(response.body()).path("epoch").asText()).isEqualTo("2");
    }

    @Test
    void shouldReportClusterAndRouteInStatus() throws Exception {
        startSwitch(Map.of());
        promote("a", a.url(), 3);
        register("b", b.url(), Role.SECONDARY, 3);
        awaitRoutedTo("a");

        HttpResponse<String> response = get("/_understudy/status");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode status = json(response.body());
        assertThat(status.path("cluster").asText()).isEqualTo("it");
        JsonNode primary = status.path("primary");
        assertThat(primary.path("nodeId").asText()).isEqualTo("a");
        assertThat(primary.path("epoch").asLong()).isEqualTo(3);
        assertThat(primary.path("apiUrl").asText()).isEqualTo(a.url());
        assertThat(primary.path("live").asBoolean()).isTrue();
        JsonNode members = status.path("members");
        assertThat(members).hasSize(2);
        assertThat(members.get(0).path("nodeId").asText()).isEqualTo("a");
        assertThat(members.get(0).path("role").asText()).isEqualTo("PRIMARY");
        assertThat(members.get(1).path("nodeId").asText()).isEqualTo("b");
        assertThat(members.get(1).path("role").asText()).isEqualTo("SECONDARY");
        assertThat(members.get(1).path("apiUrl").asText()).isEqualTo(b.url());
        assertThat(members.get(1).path("healthy").asBoolean()).isTrue();
        assertThat(members.get(1).path("lagMs").asLong()).isEqualTo(12);
        assertThat(status.path("route").path("epoch").asLong()).isEqualTo(3);
        assertThat(status.path("route").path("zookeeper").asText()).isEqualTo("CONNECTED");

        register("a", a.url(), Role.DEMOTED, 3);
        await().atMost(WAIT).until(() -> status().path("route").path("nodeId").isNull());
        assertThat(status().path("primary").path("live").asBoolean()).isFalse();
        assertThat(status().path("route").path("reason").asText()).contains("a@3 is registered as DEMOTED");
    }

    @Test
    void shouldReportNullPrimaryWhenThereIsNone() throws Exception {
        startSwitch(Map.of());

        JsonNode status = status();

        assertThat(status.has("primary")).isTrue();
        assertThat(status.path("primary").isNull()).isTrue();
        assertThat(status.path("members")).isEmpty();
    }

    @Test
    void shouldAnswerUnknownAdminPathWith404Json() throws Exception {
        startSwitch(Map.of());

        HttpResponse<String> response = get("/_understudy/nope");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json(response.body()).path("error").asText()).isEqualTo("not_found");
        assertThat(json(response.body()).path("message").asText()).contains("/_understudy/nope");
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/_understudy/status")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(json(post.body()).path("error").asText()).isEqualTo("method_not_allowed");
    }

    @Test
    void shouldReportHealthFromTheZookeeperConnection() throws Exception {
        startSwitch(Map.of());
        HttpResponse<String> up = get("/_understudy/health");
        assertThat(up.statusCode()).isEqualTo(200);
        assertThat(json(up.body()).path("status").asText()).isEqualTo("UP");

        zk.stop();
        await().atMost(WAIT).until(() -> get("/_understudy/health").statusCode() == 503);
        assertThat(json(get("/_understudy/health").body()).path("status").asText()).isEqualTo("DOWN");

        zk.restart();
        await().atMost(WAIT).until(() -> get("/_understudy/health").statusCode() == 200);
    }

    @Test
    void shouldHoldTrafficOnceTheZookeeperSessionIsLostAndRouteAgainAfterReconnecting() throws Exception {
        startSwitch(Map.of("zookeeper.sessionTimeoutMs", "1000", "switch.holdTimeoutMs", "200"));
        promote("a", a.url(), 1);
        awaitRoutedTo("a");

        zk.stop();
        await().atMost(Duration.ofSeconds(30)).until(() -> "LOST".equals(status().path("route").path("zookeeper").asText()));
        assertThat(status().path("route").path("nodeId").isNull()).isTrue();
        HttpResponse<String> held = get("/api/during-outage");
        assertThat(held.statusCode()).isEqualTo(503);
        assertThat(json(held.body()).path("message").asText()).contains("session lost");

        zk.restart();
        awaitRoutedTo("a");
        assertThat(json(get("/api/after-outage").body()).path("name").asText()).isEqualTo("A");
    }

    @Test
    void shouldRejectBadConfigFileNamingFileAndKey(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("switch.properties");
        Files.writeString(file, "zookeeper.connect=" + zk.getConnectString() + "\nswitch.prot=8080\n");

        assertThatThrownBy(() -> SwitchConfig.from(Settings.load(file, Map.of())))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.key()).isEqualTo("switch.prot");
                    assertThat(e.getMessage()).contains(file.toString()).contains("switch.prot");
                });
        assertThat(SwitchMain.launch(new String[] {"--config", file.toString()}, started -> { }))
                .isEqualTo(SwitchMain.EXIT_CONFIG);
        assertThat(SwitchMain.launch(new String[] {}, started -> { })).isEqualTo(SwitchMain.EXIT_CONFIG);
    }
}
