package io.understudy.node;

import static io.understudy.node.support.Http.get;
import static io.understudy.node.support.Http.put;
import static io.understudy.node.support.Http.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.understudy.cluster.ClusterJson;
import io.understudy.cluster.HistoryRecord;
import io.understudy.cluster.zk.ZkPaths;
import io.understudy.node.support.Http;
import io.understudy.node.support.TestNodes;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;

/**
 * Two real nodes in one JVM (real ZooKeeper, two real PostgreSQL instances, real Debezium):
 * bootstrap, replication, refusal of writes on the secondary, promotion when the primary stops,
 * and the old primary rejoining as a replica of the new one. The kill -9 variant across OS
 * processes is the launcher module's ApplianceIT.
 */
class NodeFailoverIT extends WithTwoDatabases {

    @Test
    void shouldReplicatePromoteAndRejoin() throws Exception {
        NodeConfig configA = TestNodes.config("a", zk.getConnectString(), pgA, dir);
        NodeConfig configB = TestNodes.config("b", zk.getConnectString(), pgB, dir);
        String urlA = configA.apiAdvertisedUrl();
        String urlB = configB.apiAdvertisedUrl();

        a = Node.start(configA);
        await().atMost(Duration.ofSeconds(30)).until(() -> Http.status(urlA + "/primary") == 200);
        for (int i = 0; i < 10; i++) {
            assertThat(put(urlA + "/api/objects/before-" + i, "{\"i\":" + i + "}").statusCode()).isEqualTo(201);
        }
        b = Node.start(configB);
        await().atMost(Duration.ofSeconds(60)).until(() -> Http.status(urlB + "/replica") == 200);
        assertThat(SyncReplicationIT.PgRows.one(pgB, "SELECT pg_size_bytes(current_setting('max_slot_wal_keep_size'))"))
                .as("bounded when the node started, not at its first promotion (a reload then)").isEqualTo(1L << 30);
        for (int i = 0; i < 10; i++) {
            assertThat(put(urlA + "/api/objects/streamed-" + i, "{\"i\":" + i + "}").statusCode()).isEqualTo(201);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(text(get(urlB + "/api/objects/before-9"))).isEqualTo("{\"i\":9}");
            assertThat(text(get(urlB + "/api/objects/streamed-9"))).isEqualTo("{\"i\":9}");
        });

        HttpResponse<byte[]> refused = put(urlB + "/api/objects/direct", "{}");
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(text(refused)).contains("\"error\":\"not_primary\"").contains(urlA);

        a.close();
        a = null;
        await().atMost(Duration.ofSeconds(30)).until(() -> Http.status(urlB + "/primary") == 200);
        assertThat(text(get(urlB + "/health"))).contains("\"epoch\":2");
        assertThat(text(get(urlB + "/api/objects/streamed-9"))).isEqualTo("{\"i\":9}");
        assertThat(put(urlB + "/api/objects/after", "{\"epoch\":2}").statusCode()).isEqualTo(201);

        a = Node.start(configA);
        await().atMost(Duration.ofSeconds(60)).until(() -> Http.status(urlA + "/replica") == 200);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(text(get(urlA + "/api/objects/after"))).isEqualTo("{\"epoch\":2}"));
        assertThat(put(urlA + "/api/objects/direct", "{}").statusCode()).isEqualTo(503);

        assertThat(history()).extracting(HistoryRecord::type)
                .contains(HistoryRecord.Type.BOOTSTRAP, HistoryRecord.Type.PROMOTION);
    }

    @Test
    void shouldRideOutAZooKeeperRestartWithoutFailingOver() throws Exception {
        NodeConfig configA = TestNodes.config("a", zk.getConnectString(), pgA, dir);
        NodeConfig configB = TestNodes.config("b", zk.getConnectString(), pgB, dir);
        String urlA = configA.apiAdvertisedUrl();
        a = Node.start(configA);
        await().atMost(Duration.ofSeconds(30)).until(() -> Http.status(urlA + "/primary") == 200);
        b = Node.start(configB);
        await().atMost(Duration.ofSeconds(60)).until(() -> Http.status(configB.apiAdvertisedUrl() + "/replica") == 200);

        zk.stop();
        await().atMost(Duration.ofSeconds(10)).until(() -> put(urlA + "/api/objects/during", "{}").statusCode() == 503);
        zk.restart();

        await().atMost(Duration.ofSeconds(20)).until(() -> put(urlA + "/api/objects/after-blip", "{}").statusCode() == 201);
        assertThat(text(get(urlA + "/health"))).contains("\"role\":\"PRIMARY\"").contains("\"epoch\":1");
        assertThat(Http.status(configB.apiAdvertisedUrl() + "/replica")).isEqualTo(200);
        assertThat(history()).as("role changes: none after the first primary's").extracting(HistoryRecord::type)
                .filteredOn(type -> type != HistoryRecord.Type.MEMBER_ADDED).containsExactly(HistoryRecord.Type.BOOTSTRAP);
    }

    @Test
    void shouldReclaimAsTheLastPrimaryWithItsDataAfterARestart() throws Exception {
        NodeConfig configA = TestNodes.config("a", zk.getConnectString(), pgA, dir);
        String urlA = configA.apiAdvertisedUrl();
        a = Node.start(configA);
        await().atMost(Duration.ofSeconds(30)).until(() -> Http.status(urlA + "/primary") == 200);
        assertThat(put(urlA + "/api/objects/kept", "{\"kept\":true}").statusCode()).isEqualTo(201);
        a.close();

        a = Node.start(configA);
        await().atMost(Duration.ofSeconds(30)).until(() -> Http.status(urlA + "/primary") == 200);
        assertThat(text(get(urlA + "/health"))).contains("\"epoch\":2");
        assertThat(text(get(urlA + "/api/objects/kept"))).isEqualTo("{\"kept\":true}");
    }
}
