package io.understudy.failoverswitch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.understudy.cluster.ClusterJson;
import io.understudy.cluster.ClusterSettings;
import io.understudy.cluster.Role;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The switch serves its status page itself, from its own jar, never forwarding those paths to a node. */
class StatusPageIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** One switch for every test: they only read, but for the pause, which no other test looks at. */
    private static ClusterFixture cluster;
    private static EchoBackend primary;
    private static SwitchServer server;

    @BeforeAll
    static void startSwitchRoutingToA() throws Exception {
        cluster = new ClusterFixture();
        primary = new EchoBackend("A");
        cluster.register("b", "http://127.0.0.1:1", Role.SECONDARY, 2);
        server = cluster.startSwitchRoutingTo("a", primary.url(), 2, Map.of());
    }

    @AfterAll
    static void stopAll() throws Exception {
        if (server != null) {
            server.close();
        }
        primary.close();
        cluster.close();
    }

    private static HttpResponse<String> send(String method, String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(WAIT).method(method, HttpRequest.BodyPublishers.noBody());
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, Map.of());
    }

    @Test
    void shouldServeThePageAndItsFilesFromTheJar() throws Exception {
        HttpResponse<String> page = get("/_understudy/");
        HttpResponse<String> script = get("/_understudy/ui/status.js");
        HttpResponse<String> style = get("/_understudy/ui/status.css");

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).get().asString().startsWith("text/html");
        assertThat(page.body()).contains("<script src=\"ui/status.js\"").contains("id=\"primary\"");
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.headers().firstValue("Content-Type")).get().asString().contains("javascript");
        assertThat(script.body()).contains("fetch('status'");
        assertThat(style.statusCode()).isEqualTo(200);
        assertThat(style.headers().firstValue("Content-Type")).get().asString().startsWith("text/css");
        assertThat(primary.acceptedConnections()).as("nothing of the page was forwarded to the primary").isZero();
    }

    @Test
    void shouldLetBrowsersRevalidateThePageAndNeverCacheTheStatus() throws Exception {
        HttpResponse<String> page = get("/_understudy/");
        String lastModified = page.headers().firstValue("Last-Modified").orElseThrow();
        HttpResponse<String> again = send("GET", "/_understudy/", Map.of("If-Modified-Since", lastModified));
        HttpResponse<String> status = get("/_understudy/status");

        assertThat(page.headers().firstValue("Cache-Control")).contains("no-cache");
        assertThat(page.headers().firstValue("Content-Security-Policy")).get().asString()
                .contains("script-src 'self'").contains("connect-src 'self'").contains("frame-ancestors 'none'");
        assertThat(page.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        assertThat(again.statusCode()).as("an unchanged page costs a 304").isEqualTo(304);
        assertThat(status.headers().firstValue("Cache-Control")).contains("no-store");
    }

    @Test
    void shouldRedirectTheBarePrefixToThePage() throws Exception {
        HttpResponse<String> bare = get("/_understudy");

        assertThat(bare.statusCode()).isEqualTo(301);
        assertThat(bare.headers().firstValue("Location")).contains("/_understudy/");
    }

    @Test
    void shouldAnswerUnknownFilesAndOtherMethodsWithJsonErrors() throws Exception {
        HttpResponse<String> missing = get("/_understudy/ui/nothing.js");
        HttpResponse<String> escape = get("/_understudy/ui/../admin/AdminHandler.class");
        HttpResponse<String> post = send("POST", "/_understudy/", Map.of());

        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(ClusterJson.MAPPER.readTree(missing.body()).path("error").asText()).isEqualTo("not_found");
        assertThat(escape.statusCode()).isIn(400, 404);
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD");
        assertThat(ClusterJson.MAPPER.readTree(post.body()).path("error").asText()).isEqualTo("method_not_allowed");
        assertThat(primary.acceptedConnections()).isZero();
    }

    @Test
    void shouldTellThePageWhetherAutomaticFailoverIsPaused() throws Exception {
        cluster.curator.create().creatingParentsIfNeeded().forPath(cluster.paths.config(),
                ClusterJson.toBytes(ClusterSettings.DEFAULTS.withPause(true, "patching host a")));

        await().atMost(WAIT).untilAsserted(() -> {
            var settings = ClusterJson.MAPPER.readTree(get("/_understudy/status").body()).path("settings");
            assertThat(settings.path("failoverPaused").asBoolean()).isTrue();
            assertThat(settings.path("pausedReason").asText()).isEqualTo("patching host a");
        });
    }
}
