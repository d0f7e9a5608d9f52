package io.understudy.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.understudy.cluster.ClusterJson;
import io.understudy.cluster.ClusterSettings;
import io.understudy.cluster.HistoryRecord;
import io.understudy.cluster.zk.ZkPaths;
import io.understudy.node.support.Http;
import io.understudy.node.support.TestNodes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Test;

/**
 * Retention on two real nodes: the primary deletes the oldest history entries beyond {@code historyMaxEntries}
 * and idempotency keys older than {@code idempotencyKeyMaxAgeMs}, as soon as an operator sets them in
 * {@code /config}; the key deletes replicate to the secondary like any write.
 */
class RetentionIT extends WithTwoDatabases {

    @Test
    void shouldPruneHistoryAndOldIdempotencyKeysOnThePrimaryAndReplicateTheDeletes() throws Exception {
        NodeConfig configA = TestNodes.config("a", zk.getConnectString(), pgA, dir);
        NodeConfig configB = TestNodes.config("b", zk.getConnectString(), pgB, dir);
        a = Node.start(configA);
        await().atMost(Duration.ofSeconds(30)).until(() -> Http.status(configA.apiAdvertisedUrl() + "/primary") == 200);
        b = Node.start(configB);
        await().atMost(Duration.ofSeconds(60)).until(() -> Http.status(configB.apiAdvertisedUrl() + "/replica") == 200);

        try (Connection c = DriverManager.getConnection(pgA.getJdbcUrl("postgres", "postgres"))) {
            // 300 keys from two days ago and 200 of today, written on the primary like the write path does
            c.createStatement().execute("INSERT INTO idempotency_keys (key, request_hash, status, response_body,"
                    + " written_epoch, created_at) SELECT 'old-' || g, 'h', 201, '\\x7b7d', 1, now() - interval '2 days'"
                    + " FROM generate_series(1, 300) g");
            c.createStatement().execute("INSERT INTO idempotency_keys (key, request_hash, status, response_body,"
                    + " written_epoch) SELECT 'new-' || g, 'h', 201, '\\x7b7d', 1 FROM generate_series(1, 200) g");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> keys(pgB.getJdbcUrl("postgres", "postgres")) == 500);
        ZkPaths paths = new ZkPaths("it");
        try (CuratorFramework client = CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryOneTime(100))) {
            client.start();
            for (int i = 0; i < 150; i++) {
                client.create().withMode(CreateMode.PERSISTENT_SEQUENTIAL).forPath(paths.historyEntry(), ClusterJson.toBytes(
                        new HistoryRecord(HistoryRecord.Type.COMMAND, "a", null, 1, i, "filler " + i)));
            }
            String newest = client.create().withMode(CreateMode.PERSISTENT_SEQUENTIAL).forPath(paths.historyEntry(),
                    ClusterJson.toBytes(new HistoryRecord(HistoryRecord.Type.COMMAND, "a", null, 1, 150, "newest")));
            assertThat(client.getChildren().forPath(paths.history())).hasSizeGreaterThan(150);

            // an operator lowers the bounds (the CLI writes /config the same way, validated first)
            byte[] lowered = ClusterJson.toBytes(ClusterSettings.DEFAULTS
                    .withRetention(100, ClusterSettings.DEFAULT_IDEMPOTENCY_KEY_MAX_AGE_MS).validated());
            if (client.checkExists().forPath(paths.config()) == null) {
                client.create().forPath(paths.config(), lowered);
            } else {
                client.setData().forPath(paths.config(), lowered);
            }

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(client.getChildren().forPath(paths.history())).hasSizeLessThanOrEqualTo(100));
            List<HistoryRecord> kept = history();
            assertThat(kept.get(kept.size() - 1).reason()).isEqualTo("newest");
            assertThat(kept).noneMatch(h -> "filler 0".equals(h.reason()));
            assertThat(client.checkExists().forPath(newest)).isNotNull();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> keys(pgA.getJdbcUrl("postgres", "postgres")) == 200);
        await().atMost(Duration.ofSeconds(30)).until(() -> keys(pgB.getJdbcUrl("postgres", "postgres")) == 200);
        try (Connection c = DriverManager.getConnection(pgB.getJdbcUrl("postgres", "postgres"))) {
            ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM idempotency_keys WHERE key LIKE 'old-%'");
            rs.next();
            assertThat(rs.getInt(1)).as("old keys left on the secondary").isZero();
        }
        assertThat(Http.text(Http.get(configA.apiAdvertisedUrl() + "/metrics")))
                .contains("understudy_retention_deleted_total{what=\"idempotency_keys\"} 300.0");
    }

    private static int keys(String url) throws Exception {
        try (Connection c = DriverManager.getConnection(url)) {
            ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM idempotency_keys");
            rs.next();
            return rs.getInt(1);
        }
    }
}
