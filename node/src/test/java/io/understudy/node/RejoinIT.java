package io.understudy.node;

import static io.understudy.node.support.Http.get;
import static io.understudy.node.support.Http.put;
import static io.understudy.node.support.Http.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.understudy.cluster.ClusterJson;
import io.understudy.cluster.HistoryRecord;
import io.understudy.cluster.zk.ZkPaths;
import io.understudy.node.support.Http;
import io.understudy.node.support.TestNodes;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;

/**
 * An old primary returning under the node that took over from it (real ZooKeeper, two real PostgreSQL servers, real
 * Debezium): with transactions the new primary never applied, they are quarantined exactly and the old primary
 * resyncs; without, it streams on from where the new primary began, with no fresh copy.
 */
class RejoinIT extends WithTwoDatabases {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private NodeConfig configA;
    private NodeConfig configB;
    private String urlA;
    private String urlB;

    /** A primary, B streaming from it, then A's node stops (its database keeps running) and B takes over from it. */
    private void failOverFromAToB() throws Exception {
        configA = TestNodes.config("a", zk.getConnectString(), pgA, dir);
        configB = TestNodes.config("b", zk.getConnectString(), pgB, dir);
        urlA = configA.apiAdvertisedUrl();
        urlB = configB.apiAdvertisedUrl();
        a = Node.start(configA);
        await().atMost(WAIT).until(() -> Http.status(urlA + "/primary") == 200);
        for (int i = 0; i < 5; i++) {
            assertThat(put(urlA + "/api/objects/before-" + i, "{\"i\":" + i + "}").statusCode()).isEqualTo(201);
        }
        b = Node.start(configB);
        await().atMost(WAIT).until(() -> Http.status(urlB + "/replica") == 200);
        for (int i = 0; i < 5; i++) {
            assertThat(put(urlA + "/api/objects/streamed-" + i, "{\"i\":" + i + "}").statusCode()).isEqualTo(201);
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(text(get(urlB + "/api/objects/streamed-4"))).isEqualTo("{\"i\":4}"));

        a.close();
        a = null;
        await().atMost(WAIT).until(() -> Http.status(urlB + "/primary") == 200);
    }

    @Test
    void shouldQuarantineExactlyWhatTheNewPrimaryNeverAppliedAndResync() throws Exception {
        failOverFromAToB();
        // Transactions A committed that B never received: written straight into A's database after B drained it, as
        // if A's node had acknowledged them in its last moments as primary, with the stream to B already cut off.
        exec(pgA, "INSERT INTO objects (id, body, etag, version, written_epoch) VALUES ('lost-1', convert_to('{\"lost\":1}', 'UTF8'),"
                + " 'e-lost-1', 1, 1)");
        exec(pgA, "BEGIN; UPDATE objects SET body = convert_to('{\"changed\":true}', 'UTF8'), version = 2 WHERE id = 'streamed-0';"
                + " DELETE FROM objects WHERE id = 'before-0'; COMMIT");
        assertThat(put(urlB + "/api/objects/after", "{\"epoch\":2}").statusCode()).isEqualTo(201);

        a = Node.start(configA);
        await().atMost(WAIT).until(() -> Http.status(urlA + "/replica") == 200);

        JsonNode list = json(get(urlA + "/quarantine").body());
        assertThat(list).hasSize(1);
        JsonNode entry = list.get(0);
        assertThat(entry.get("epoch").asLong()).isEqualTo(1);
        assertThat(entry.get("transactions").asInt()).isEqualTo(2);
        assertThat(entry.get("changes").asInt()).isEqualTo(3);
        assertThat(entry.get("complete").asBoolean()).isTrue();
        String id = entry.get("id").asText();
        assertThat(id).startsWith("epoch-1-from-a-");
        assertThat(Files.exists(dir.resolve("a").resolve("quarantine").resolve(id + ".json"))).isTrue();

        JsonNode export = json(get(urlA + "/quarantine/" + id).body());
        assertThat(export.get("newPrimary").asText()).isEqualTo("b");
        assertThat(export.get("newPrimaryEpoch").asLong()).isEqualTo(2);
        JsonNode txs = export.get("divergent");
        assertThat(txs).hasSize(2);
        JsonNode insert = txs.get(0).get("changes").get(0);
        assertThat(insert.get("op").asText()).isEqualTo("INSERT");
        assertThat(insert.get("table").asText()).isEqualTo("public.objects");
        assertThat(insert.get("values").get("id").asText()).isEqualTo("lost-1");
        assertThat(insert.get("values").get("body").asText()).isEqualTo("\\x" + hex("{\"lost\":1}"));
        assertThat(txs.get(1).get("changes")).extracting(c -> c.get("op").asText()).containsExactly("UPDATE", "DELETE");
        assertThat(txs.get(1).get("changes").get(0).get("values").get("body").asText()).isEqualTo("\\x" + hex("{\"changed\":true}"));
        assertThat(txs.get(1).get("changes").get(1).get("key").get("id").asText()).isEqualTo("before-0");
        assertThat(export.get("summary")).extracting(s -> s.get("key").asText() + ":" + s.get("op").asText())
                .containsExactly("lost-1:INSERT", "streamed-0:UPDATE", "before-0:DELETE");
        assertThat(Http.get(urlA + "/quarantine/no-such-thing").statusCode()).isEqualTo(404);
        assertThat(text(Http.get(urlA + "/quarantine/no-such-thing"))).contains("\"error\":\"not_found\"");

        assertThat(history()).anySatisfy(h -> {
            assertThat(h.type()).isEqualTo(HistoryRecord.Type.REJOIN);
            assertThat(h.reason()).contains("diverged: 2 transactions (3 changes)").contains("quarantined as " + id);
        });
        await().atMost(WAIT).untilAsserted(() -> assertThat(rows(pgA)).isEqualTo(rows(pgB)).contains("after={\"epoch\":2}"));
        assertThat(rows(pgA)).noneMatch(r -> r.startsWith("lost-1=")).contains("streamed-0={\"i\":0}", "before-0={\"i\":0}");
    }

    @Test
    void shouldStreamOnWithoutAFreshCopyWhenNotDiverged() throws Exception {
        failOverFromAToB();
        assertThat(put(urlB + "/api/objects/after", "{\"epoch\":2}").statusCode()).isEqualTo(201);

        a = Node.start(configA);
        await().atMost(WAIT).until(() -> Http.status(urlA + "/replica") == 200);
        await().atMost(WAIT).untilAsserted(() -> assertThat(text(get(urlA + "/api/objects/after"))).isEqualTo("{\"epoch\":2}"));
        assertThat(put(urlB + "/api/objects/later", "{\"later\":true}").statusCode()).isEqualTo(201);
        await().atMost(WAIT).untilAsserted(() -> assertThat(rows(pgA)).isEqualTo(rows(pgB)).contains("later={\"later\":true}"));

        JsonNode replication = json(get(urlA + "/health").body()).get("replication");
        assertThat(replication.get("state").asText()).isEqualTo("STREAMING");
        assertThat(replication.get("snapshotRows").asLong()).isZero(); // streamed on: no fresh copy was taken
        assertThat(json(get(urlA + "/quarantine").body())).isEmpty();
        assertThat(history()).anySatisfy(h -> {
            assertThat(h.type()).isEqualTo(HistoryRecord.Type.REJOIN);
            assertThat(h.reason()).startsWith("not diverged").contains("without a fresh copy");
        });
    }

    @Test
    void shouldQuarantineAFullExportMarkedIncompleteWhenItCannotProveItDidNotDiverge() throws Exception {
        failOverFromAToB();
        // The slot B streamed from is gone (an operator dropped it, or PostgreSQL invalidated it): A cannot tell
        // which of its transactions B applied, so it keeps everything before it resyncs.
        exec(pgA, "SELECT pg_drop_replication_slot('understudy_b')");

        a = Node.start(configA);
        await().atMost(WAIT).until(() -> Http.status(urlA + "/replica") == 200);

        JsonNode entry = json(get(urlA + "/quarantine").body()).get(0);
        assertThat(entry.get("complete").asBoolean()).isFalse();
        assertThat(entry.get("transactions").isNull()).isTrue();
        JsonNode export = json(get(urlA + "/quarantine/" + entry.get("id").asText()).body());
        assertThat(export.get("reason").asText()).contains("no logical slot understudy_b");
        assertThat(export.get("export").get("public.objects")).hasSize(10);
        assertThat(export.get("export").get("public.objects").findValuesAsText("id")).contains("before-0", "streamed-4");
        assertThat(history()).anySatisfy(h -> assertThat(h.reason()).startsWith("cannot prove it is not diverged")
                .contains("10 rows"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(rows(pgA)).isEqualTo(rows(pgB)));
    }

    private static JsonNode json(byte[] body) throws Exception {
        return ClusterJson.MAPPER.readTree(body);
    }

    private static String hex(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            sb.append(String.format("%02x", b));
        }
        return sb.toString();
    }

    private static void exec(EmbeddedPostgres pg, String sql) throws Exception {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** Every object as {@code id=body}, in id order. */
    private static List<String> rows(EmbeddedPostgres pg) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id || '=' || convert_from(body, 'UTF8') FROM objects ORDER BY id")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
