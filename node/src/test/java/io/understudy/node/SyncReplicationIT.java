package io.understudy.node;

import static io.understudy.node.support.Http.get;
import static io.understudy.node.support.Http.put;
import static io.understudy.node.support.Http.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.understudy.cluster.config.Settings;
import io.understudy.node.support.Http;
import io.understudy.node.support.Postgres;
import io.understudy.node.support.TestNodes;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * replication.mode=sync on two real nodes (real ZooKeeper, two PostgreSQL servers, Debezium): without a secondary
 * writes are refused and nothing is applied; with one, every acknowledged write is already in the secondary's own
 * database when the client gets the answer; when the secondary goes away, writes stop being acknowledged within the
 * sync timeout. Also checks the Prometheus metrics and the slot's publication on the primary.
 */
class SyncReplicationIT extends WithTwoDatabases {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private NodeConfig syncConfig(String id, EmbeddedPostgres pg) throws Exception {
        return syncConfig(id, pg, "refuse");
    }

    private NodeConfig syncConfig(String id, EmbeddedPostgres pg, String fallback) throws Exception {
        Map<String, String> m = new HashMap<>();
        m.put("node.id", id);
        m.put("cluster.name", "sync");
        m.put("zookeeper.connect", zk.getConnectString());
        m.put("zookeeper.sessionTimeoutMs", "3000");
        m.put("api.port", Integer.toString(TestNodes.freePort()));
        m.put("db.url", Postgres.url(pg));
        m.put("data.dir", dir.resolve(id).toString());
        m.put("replication.mode", "sync");
        m.put("replication.syncFallback", fallback);
        m.put("replication.slotDropAfterMs", "1000");
        m.put("replication.syncTimeoutMs", "2000");
        m.put("replication.maxSlotWalKeepSize", "512MB");
        return NodeConfig.from(Settings.of("sync-node-" + id, m));
    }

    private static boolean onSecondary(EmbeddedPostgres pg, String id) throws Exception {
        try (Connection c = pg.getPostgresDatabase().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT 1 FROM objects WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    @Test
    void anAcknowledgedWriteIsAlreadyOnTheSecondary() throws Exception {
        NodeConfig configA = syncConfig("a", pgA);
        NodeConfig configB = syncConfig("b", pgB);
        String urlA = configA.apiAdvertisedUrl();
        String urlB = configB.apiAdvertisedUrl();

        a = Node.start(configA);
        await().atMost(WAIT).until(() -> Http.status(urlA + "/primary") == 200);
        HttpResponse<byte[]> alone = put(urlA + "/api/objects/alone", "{\"x\":1}");
        assertThat(alone.statusCode()).isEqualTo(503);
        assertThat(text(alone)).contains("no_sync_replica");
        assertThat(get(urlA + "/api/objects/alone").statusCode()).as("nothing applied").isEqualTo(404);

        b = Node.start(configB);
        await().atMost(WAIT).until(() -> Http.status(urlB + "/replica") == 200);
        await().atMost(WAIT).until(() -> put(urlA + "/api/objects/first", "{\"x\":0}").statusCode() == 201);

        for (int i = 0; i < 40; i++) {
            String id = "sync-" + i;
            assertThat(put(urlA + "/api/objects/" + id, "{\"i\":" + i + "}").statusCode()).isEqualTo(201);
            assertThat(onSecondary(pgB, id)).as("%s is in the secondary's database when acknowledged", id).isTrue();
        }

        String primaryMetrics = text(get(urlA + "/metrics"));
        assertThat(primaryMetrics).contains("understudy_node_role{role=\"PRIMARY\"} 1.0").contains("understudy_node_epoch 1.0")
                .contains("understudy_replication_slot_retained_bytes");
        await().atMost(WAIT).untilAsserted(() -> assertThat(text(get(urlB + "/metrics")))
                .contains("understudy_replication_state{state=\"STREAMING\"} 1.0")
                .containsPattern("understudy_replication_lag_ms_count [1-9]"));
        assertThat(PgRows.one(pgA, "SELECT count(*) FROM pg_publication WHERE pubname = 'understudy_b'")).isEqualTo(1);
        assertThat(PgRows.one(pgA, "SELECT pg_size_bytes(current_setting('max_slot_wal_keep_size'))")).isEqualTo(512L << 20);

        b.close();
        b = null;
        long start = System.nanoTime();
        HttpResponse<byte[]> orphan = put(urlA + "/api/objects/orphan", "{\"x\":2}");
        assertThat(orphan.statusCode()).isEqualTo(503);
        assertThat(text(orphan)).containsAnyOf("not_replicated", "no_sync_replica");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30)); // bounded, not a speed check

        // b stays gone longer than replication.slotDropAfterMs: its slot and publication go, so no WAL is held for it.
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(PgRows.one(pgA, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'understudy_b'")).isZero();
            assertThat(PgRows.one(pgA, "SELECT count(*) FROM pg_publication WHERE pubname = 'understudy_b'")).isZero();
        });
    }

    @Test
    void withFallbackAsyncWritesWithoutASecondaryAreAcknowledgedUnderAnAlarm() throws Exception {
        NodeConfig configA = syncConfig("a", pgA, "async");
        String urlA = configA.apiAdvertisedUrl();
        a = Node.start(configA);
        await().atMost(WAIT).until(() -> Http.status(urlA + "/primary") == 200);

        assertThat(put(urlA + "/api/objects/degraded", "{\"x\":1}").statusCode()).isEqualTo(201);
        await().atMost(WAIT).untilAsserted(() -> assertThat(text(get(urlA + "/metrics")))
                .contains("understudy_replication_alarm{alarm=\"sync_degraded\"} 1.0")
                .contains("understudy_replication_alarm{alarm=\"no_secondary\"} 1.0"));
    }

    /** One number from a query on a test database. */
    static final class PgRows {
        static long one(EmbeddedPostgres pg, String sql) throws Exception {
            try (Connection c = pg.getPostgresDatabase().getConnection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
