package io.understudy.failoverswitch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.understudy.cluster.ClusterJson;
import io.understudy.cluster.Role;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The primary froze (SIGSTOP) with requests already sent to it, lost its session, and a secondary
 * took over in a newer epoch. The switch must not wait out its 30 s backend timeout on the frozen
 * node: what is safe to send twice goes to the new primary, the rest learns at once that its
 * outcome is unknown.
 */
class FrozenPrimaryIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Far below the switch's 30 s backend timeout (the default, kept here), so the test fails without the fix. */
    private static final Duration WELL_BEFORE_BACKEND_TIMEOUT = Duration.ofSeconds(15);

    private final FakeNode.Store store = new FakeNode.Store();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private ClusterFixture cluster;
    private StalledNode frozen;
    private FakeNode b;
    private SwitchServer server;

    @BeforeEach
    void start() throws Exception {
        cluster = new ClusterFixture();
        frozen = new StalledNode();
        b = new FakeNode("b", store);
        cluster.promote("a", frozen.url(), 1);
        cluster.register("b", b.url(), Role.SECONDARY, 1);
        server = cluster.startSwitch(Map.of("switch.holdTimeoutMs", "20000"));
        await().atMost(WAIT).until(() -> "a".equals(server.status().route().nodeId()));
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        frozen.close();
        b.close();
        cluster.close();
    }

    @Test
    void shouldMoveRequestsOffAFrozenPrimaryOnceANewerEpochServes() throws Exception {
        CompletableFuture<HttpResponse<String>> keyedPut = send(request("/api/objects/keyed-put")
                .header("Idempotency-Key", "k-put").PUT(HttpRequest.BodyPublishers.ofString("{\"v\":1}")));
        CompletableFuture<HttpResponse<String>> keyedPost = send(request("/api/events/keyed-post")
                .header("Idempotency-Key", "k-post").POST(HttpRequest.BodyPublishers.ofString("{\"e\":1}")));
        CompletableFuture<HttpResponse<String>> unkeyedPost = send(request("/api/events/unkeyed-post")
                .POST(HttpRequest.BodyPublishers.ofString("{\"e\":2}")));
        CompletableFuture<HttpResponse<String>> get = send(request("/api/objects/read").GET());
        await().atMost(WAIT).until(() -> frozen.requestsSeen() >= 4);

        // the frozen node's session expires (its member znode goes), then the secondary promotes
        cluster.unregister("a");
        await().atMost(WAIT).until(() -> server.status().route().nodeId() == null);
        b.promote(2);
        cluster.promote("b", b.url(), 2);

        await().atMost(WELL_BEFORE_BACKEND_TIMEOUT).until(() -> keyedPut.isDone() && keyedPost.isDone()
                && unkeyedPost.isDone() && get.isDone());
        assertServedByNewPrimary(keyedPut.get());
        assertServedByNewPrimary(keyedPost.get());
        assertServedByNewPrimary(get.get());

        HttpResponse<String> unknown = unkeyedPost.get();
        assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(503);
        assertThat(unknown.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode body = ClusterJson.MAPPER.readTree(unknown.body());
        assertThat(body.path("error").asText()).isEqualTo("outcome_unknown");
        assertThat(body.path("message").asText()).contains("a@1").contains("may or may not have been applied");

        assertThat(store.executions).containsOnlyKeys("/api/objects/keyed-put", "/api/events/keyed-post");
        assertThat(store.executions).allSatisfy((path, times) -> assertThat(times.get()).as(path).isEqualTo(1));
        String metrics = http.send(request("/_understudy/metrics").GET().build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("understudy_switch_outcome_unknown_total 1.0");
    }

    private void assertServedByNewPrimary(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Understudy-Node")).hasValue("b");
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).timeout(WAIT.multipliedBy(2));
    }

    private CompletableFuture<HttpResponse<String>> send(HttpRequest.Builder request) {
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
