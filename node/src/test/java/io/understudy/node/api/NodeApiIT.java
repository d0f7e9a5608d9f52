package io.understudy.node.api;

import static io.understudy.node.support.Http.get;
import static io.understudy.node.support.Http.put;
import static io.understudy.node.support.Http.send;
import static io.understudy.node.support.Http.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.understudy.node.Node;
import io.understudy.node.NodeConfig;
import io.understudy.node.support.Http;
import io.understudy.node.support.Postgres;
import io.understudy.node.support.TestNodes;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One real node (real ZooKeeper, real PostgreSQL, real HTTP) bootstrapping an empty cluster. */
class NodeApiIT {

    @TempDir
    static Path dir;
    static TestingServer zk;
    static EmbeddedPostgres pg;
    static Node node;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        zk = new TestingServer(true);
        pg = Postgres.start();
        NodeConfig config = TestNodes.config("solo", zk.getConnectString(), pg, dir);
        node = Node.start(config);
        base = config.apiAdvertisedUrl();
        await().atMost(Duration.ofSeconds(30)).until(() -> Http.status(base + "/primary") == 200);
    }

    @AfterAll
    static void stop() throws Exception {
        if (node != null) {
            node.close();
        }
        pg.close();
        zk.close();
    }

    @Test
    void shouldReturnTheDocumentExactlyAsPutWithAnEtag() {
        String doc = "{ \"name\" : \"Q3 report\",\n  \"tags\": [\"ünïcødé\", 1.50, null] }";
        HttpResponse<byte[]> created = put(base + "/api/objects/report-1", doc, "Content-Type", "application/json");
        assertThat(created.statusCode()).isEqualTo(201);
        String etag = created.headers().firstValue("ETag").orElseThrow();

        HttpResponse<byte[]> read = get(base + "/api/objects/report-1");
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.body()).isEqualTo(doc.getBytes(StandardCharsets.UTF_8));
        assertThat(read.headers().firstValue("ETag")).contains(etag);
        assertThat(get(base + "/api/objects/report-1", "If-None-Match", etag).statusCode()).isEqualTo(304);
    }

    @Test
    void shouldHonourIfMatchAndIfNoneMatch() {
        String etag = put(base + "/api/objects/dash", "{\"v\":1}").headers().firstValue("ETag").orElseThrow();
        assertThat(put(base + "/api/objects/dash", "{\"v\":2}", "If-Match", "\"stale\"").statusCode()).isEqualTo(412);
        assertThat(put(base + "/api/objects/dash", "{\"v\":2}", "If-None-Match", "*").statusCode()).isEqualTo(412);
        HttpResponse<byte[]> updated = put(base + "/api/objects/dash", "{\"v\":2}", "If-Match", etag);
        assertThat(updated.statusCode()).isEqualTo(200);
        assertThat(text(updated)).contains("\"version\":2");
        assertThat(text(get(base + "/api/objects/dash"))).isEqualTo("{\"v\":2}");
    }

    @Test
    void shouldAnswerBadInputWithJsonErrorsAndStoreNothing() {
        HttpResponse<byte[]> invalid = put(base + "/api/objects/broken", "{\"a\": ");
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(text(invalid)).contains("\"error\":\"invalid_json\"");
        assertThat(put(base + "/api/objects/broken", "{} {}").statusCode()).isEqualTo(400);
        assertThat(put(base + "/api/objects/broken", "").statusCode()).isEqualTo(400);
        assertThat(put(base + "/api/objects/broken", "{\"a\": ", "Content-Type", "application/x-www-form-urlencoded")
                .statusCode()).as("invalid JSON is 400 whatever the declared type").isEqualTo(400);
        assertThat(put(base + "/api/objects/broken", "\"" + "x".repeat(70_000) + "\"").statusCode()).isEqualTo(413);
        assertThat(get(base + "/api/objects/broken").statusCode()).isEqualTo(404);

        HttpResponse<byte[]> unknown = get(base + "/no/such/thing");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(text(unknown)).contains("\"error\":\"not_found\"");
        assertThat(send("POST", base + "/api/objects/x", "{}".getBytes()).statusCode()).isEqualTo(405);
        assertThat(get(base + "/api/objects?limit=0").statusCode()).isEqualTo(400);
        assertThat(send("PUT", base + "/api/files/a/../b", new byte[] {1}).statusCode()).isEqualTo(400);
    }

    @Test
    void shouldStoreAndStreamFilesInChunks() {
        byte[] content = new byte[700_000];
        new Random(7).nextBytes(content);
        HttpResponse<byte[]> created = send("PUT", base + "/api/files/reports/q3.bin", content,
                "Content-Type", "application/octet-stream");
        assertThat(created.statusCode()).isEqualTo(201);

        HttpResponse<byte[]> read = get(base + "/api/files/reports/q3.bin");
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.body()).isEqualTo(content);
        assertThat(send("HEAD", base + "/api/files/reports/q3.bin", null).headers().firstValueAsLong("Content-Length"))
                .hasValue(content.length);

        // refused on its declared length while the client is still sending it: the answer must reach the
        // client (a connection closed on unread bytes is reset under it instead)
        HttpResponse<byte[]> tooBig = send("PUT", base + "/api/files/too/big", new byte[16_000_000]);
        assertThat(tooBig.statusCode()).isEqualTo(413);
        assertThat(text(tooBig)).contains("\"error\":\"too_large\"");
        assertThat(get(base + "/api/files/too/big").statusCode()).isEqualTo(404);

        assertThat(send("DELETE", base + "/api/files/reports/q3.bin", null).statusCode()).isEqualTo(204);
        assertThat(get(base + "/api/files/reports/q3.bin").statusCode()).isEqualTo(404);
    }

    @Test
    void shouldReplayAKeyedWriteInsteadOfApplyingItTwice() {
        HttpResponse<byte[]> first = put(base + "/api/objects/keyed", "{\"n\":1}", "Idempotency-Key", "k-1");
        HttpResponse<byte[]> retry = put(base + "/api/objects/keyed", "{\"n\":1}", "Idempotency-Key", "k-1");
        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(retry.statusCode()).isEqualTo(201);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(retry.headers().firstValue("Idempotency-Replayed")).contains("true");
        assertThat(text(retry)).contains("\"version\":1");

        assertThat(put(base + "/api/objects/keyed", "{\"n\":2}", "Idempotency-Key", "k-1").statusCode()).isEqualTo(422);
        assertThat(text(get(base + "/api/objects/keyed"))).isEqualTo("{\"n\":1}");
    }

    @Test
    void shouldServeOnlyTheEpochItHolds() {
        assertThat(put(base + "/api/objects/e", "{}", "X-Understudy-Epoch", "1").statusCode()).isEqualTo(201);
        HttpResponse<byte[]> stale = put(base + "/api/objects/e", "{}", "X-Understudy-Epoch", "7");
        assertThat(stale.statusCode()).isEqualTo(421);
        assertThat(text(stale)).contains("\"error\":\"epoch_mismatch\"");
        assertThat(get(base + "/api/objects/e", "X-Understudy-Epoch", "nope").statusCode()).isEqualTo(400);
    }

    @Test
    void shouldAnswerRoleEndpointsForLoadBalancers() {
        assertThat(Http.status(base + "/primary")).isEqualTo(200);
        assertThat(Http.status(base + "/replica")).isEqualTo(503);
        HttpResponse<byte[]> health = get(base + "/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(text(health)).contains("\"role\":\"PRIMARY\"").contains("\"epoch\":1");
    }

    @Test
    void shouldListObjectsByPrefix() {
        put(base + "/api/objects/list-a", "{}");
        put(base + "/api/objects/list-b", "{}");
        put(base + "/api/objects/other", "{}");
        String page = text(get(base + "/api/objects?prefix=list-&limit=1"));
        assertThat(page).contains("\"id\":\"list-a\"").contains("\"next\":\"list-a\"").doesNotContain("list-b");
        assertThat(text(get(base + "/api/objects?prefix=list-&after=list-a"))).contains("list-b").doesNotContain("other");
    }
}
