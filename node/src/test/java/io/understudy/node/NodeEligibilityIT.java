package io.understudy.node;

import static io.understudy.node.support.Http.get;
import static io.understudy.node.support.Http.put;
import static io.understudy.node.support.Http.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.understudy.cluster.ClusterJson;
import io.understudy.cluster.ClusterSettings;
import io.understudy.cluster.HistoryRecord;
import io.understudy.cluster.zk.ZkPaths;
import io.understudy.node.support.Http;
import io.understudy.node.support.Postgres;
import io.understudy.node.support.TestNodes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;

/**
 * Who may take over, with real ZooKeeper, real PostgreSQL and real Debezium: a {@code tags.nofailover}
 * secondary never does; a primary whose own PostgreSQL stops steps down for the secondary; a
 * secondary too far behind waits until it has caught up.
 */
class NodeEligibilityIT extends WithTwoDatabases {

    private static final Duration START = Duration.ofSeconds(60);

    @Test
    void shouldKeepANofailoverSecondaryFromTakingOverAndLetTheOldPrimaryReclaim() throws Exception {
        NodeConfig configA = TestNodes.config("a", zk.getConnectString(), pgA, dir);
        NodeConfig configB = TestNodes.config("b", zk.getConnectString(), pgB, dir, Map.of("tags.nofailover", "true"));
        String urlA = configA.apiAdvertisedUrl();
        String urlB = configB.apiAdvertisedUrl();
        startPrimaryThenReplica(configA, configB);
        assertThat(put(urlA + "/api/objects/kept", "{\"kept\":true}").statusCode()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(10)).until(() -> text(get(urlA + "/health")).contains("\"eligible\":[]"));
        assertThat(text(get(urlB + "/health"))).contains("\"eligible\":false,\"reason\":\"tags.nofailover is set\"");

        a.close();
        a = null;
        await().atMost(Duration.ofSeconds(20)).until(() -> text(get(urlB + "/health"))
                .contains("\"blocked\":\"no eligible candidate: b: tags.nofailover is set\""));
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> Http.status(urlB + "/primary") != 200);
        assertThat(text(get(urlB + "/health"))).contains("\"role\":\"SECONDARY\"");

        a = Node.start(configA);
        await().atMost(START).until(() -> Http.status(urlA + "/primary") == 200);
        assertThat(text(get(urlA + "/health"))).contains("\"epoch\":2");
        assertThat(text(get(urlA + "/api/objects/kept"))).isEqualTo("{\"kept\":true}");
        await().atMost(START).until(() -> Http.status(urlB + "/replica") == 200);
    }

    @Test
    void shouldStepDownWhenItsOwnPostgresStopsAndRejoinWhenItComesBack() throws Exception {
        java.nio.file.Path pgDir = dir.resolve("pg-a");
        int pgPort = TestNodes.freePort();
        pgA.close();
        pgA = Postgres.startKeeping(pgDir, pgPort);
        NodeConfig configA = TestNodes.config("a", zk.getConnectString(), pgA, dir);
        NodeConfig configB = TestNodes.config("b", zk.getConnectString(), pgB, dir);
        String urlA = configA.apiAdvertisedUrl();
        String urlB = configB.apiAdvertisedUrl();
        startPrimaryThenReplica(configA, configB);
        assertThat(put(urlA + "/api/objects/before", "{\"n\":1}").statusCode()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(10)).until(() -> Http.status(urlB + "/api/objects/before") == 200);

        pgA.close(); // the postmaster really stops; node a keeps running
        pgA = null;
        // a lost database is no fault of the request: 503 not_acknowledged, which the switch retries for a
        // read (here or at the next primary), not a 500 it would have to pass on
        java.net.http.HttpResponse<byte[]> read = get(urlA + "/api/objects/before");
        assertThat(read.statusCode()).as(text(read)).isEqualTo(503);
        assertThat(text(read)).contains("\"error\":\"not_acknowledged\"").contains("is not answering");
        assertThat(read.headers().firstValue("Retry-After")).contains("1");

        await().atMost(Duration.ofSeconds(30)).until(() -> Http.status(urlB + "/primary") == 200);
        assertThat(text(get(urlB + "/health"))).contains("\"epoch\":2");
        assertThat(put(urlB + "/api/objects/after", "{\"n\":2}").statusCode()).isEqualTo(201);
        assertThat(text(get(urlB + "/api/objects/before"))).isEqualTo("{\"n\":1}");
        assertThat(text(get(urlA + "/health"))).contains("\"role\":\"DEMOTED\"").contains("database unreachable");
        assertThat(history()).filteredOn(h -> h.type() == HistoryRecord.Type.DEMOTION)
                .singleElement().satisfies(h -> assertThat(h.reason()).contains("own database unreachable"));

        pgA = Postgres.startKeeping(pgDir, pgPort);
        await().atMost(START).until(() -> Http.status(urlA + "/replica") == 200);
        await().atMost(Duration.ofSeconds(10)).until(() -> Http.status(urlA + "/api/objects/after") == 200);
        assertThat(put(urlA + "/api/objects/direct", "{}").statusCode()).isEqualTo(503);
    }

    @Test
    void shouldNotPromoteASecondaryBeyondMaxLagUntilItHasCaughtUp() throws Exception {
        NodeConfig configA = TestNodes.config("a", zk.getConnectString(), pgA, dir);
        NodeConfig configB = TestNodes.config("b", zk.getConnectString(), pgB, dir);
        String urlA = configA.apiAdvertisedUrl();
        String urlB = configB.apiAdvertisedUrl();
        startPrimaryThenReplica(configA, configB);
        setMaxLagOnFailover(64 * 1024);

        byte[] noise = new byte[15_000];
        new java.util.Random(7).nextBytes(noise); // incompressible, so the WAL really grows
        String big = "{\"pad\":\"" + java.util.HexFormat.of().formatHex(noise) + "\"}";
        try (Connection holder = DriverManager.getConnection(Postgres.url(pgB), "postgres", "postgres")) {
            // b's applier waits behind this lock: b falls behind honestly while a goes on writing
            holder.setAutoCommit(false);
            try (Statement st = holder.createStatement()) {
                st.execute("LOCK TABLE public.objects IN ACCESS EXCLUSIVE MODE");
            }
            for (int i = 0; i < 20; i++) {
                assertThat(put(urlA + "/api/objects/big-" + i, big).statusCode()).isEqualTo(201);
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> text(get(urlB + "/health")).contains("\"reason\":\"lag "));
            a.close();
            a = null;
            await().atMost(Duration.ofSeconds(20)).until(() -> text(get(urlB + "/health"))
                    .contains("\"blocked\":\"no eligible candidate: b: lag "));
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                    .until(() -> Http.status(urlB + "/primary") != 200);
            holder.rollback();
        }
        // a's database still answers, so b catches up from it, becomes eligible and promotes with everything
        await().atMost(Duration.ofSeconds(60)).until(() -> Http.status(urlB + "/primary") == 200);
        assertThat(text(get(urlB + "/api/objects/big-19"))).isEqualTo(big);
        assertThat(put(urlB + "/api/objects/after", "{}").statusCode()).isEqualTo(201);
    }

    private void setMaxLagOnFailover(long bytes) throws Exception {
        try (CuratorFramework client = CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryOneTime(100))) {
            client.start();
            client.create().orSetData().creatingParentsIfNeeded().forPath(new ZkPaths("it").config(),
                    ClusterJson.toBytes(new ClusterSettings(false, null, bytes)));
        }
    }

    /** Starts a and waits until it is primary, then b and waits until it streams from a. */
    private void startPrimaryThenReplica(NodeConfig configA, NodeConfig configB) throws Exception {
        a = Node.start(configA);
        await().atMost(START).until(() -> Http.status(configA.apiAdvertisedUrl() + "/primary") == 200);
        b = Node.start(configB);
        await().atMost(START).until(() -> Http.status(configB.apiAdvertisedUrl() + "/replica") == 200);
    }

}
