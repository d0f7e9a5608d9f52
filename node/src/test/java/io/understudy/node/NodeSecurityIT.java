package io.understudy.node;

import static io.understudy.node.support.Http.get;
import static io.understudy.node.support.Http.put;
import static io.understudy.node.support.Http.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.understudy.cluster.Headers;
import io.understudy.cluster.zk.ZkAuth;
import io.understudy.cluster.zk.ZkPaths;
import io.understudy.node.support.Http;
import io.understudy.node.support.Postgres;
import io.understudy.node.support.TestNodes;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node set up for separate hosts: its znodes refuse strangers, its API refuses writes without the switch's token. */
class NodeSecurityIT {

    private static final String TOKEN = "it-token-0123456789abcdef";

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
        NodeConfig config = TestNodes.config("sec", zk.getConnectString(), pg, dir, Map.of(
                "zookeeper.auth", "digest:understudy:zk-secret-0123456789", "api.token", TOKEN));
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
    void shouldRefuseAZooKeeperClientWithoutTheCredentialsTheRightToRewriteThePrimary() throws Exception {
        String primary = new ZkPaths("it").primary();
        try (CuratorFramework operator = new ZkAuth("understudy", "zk-secret-0123456789")
                .applyTo(CuratorFrameworkFactory.builder().connectString(zk.getConnectString()).retryPolicy(new RetryOneTime(100)))
                .build();
             CuratorFramework stranger = CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryOneTime(100))) {
            operator.start();
            stranger.start();
            assertThat(operator.checkExists().forPath(primary)).as("the node bootstrapped /primary").isNotNull();
            assertThatThrownBy(() -> stranger.checkExists().forPath(primary)).isInstanceOf(KeeperException.NoAuthException.class);
            assertThatThrownBy(() -> stranger.setData().forPath(primary,
                    "{\"nodeId\":\"evil\",\"epoch\":99}".getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(KeeperException.NoAuthException.class);
            assertThatThrownBy(() -> stranger.getData().forPath(primary)).isInstanceOf(KeeperException.NoAuthException.class);
            assertThatThrownBy(() -> stranger.getChildren().forPath(new ZkPaths("it").members()))
                    .isInstanceOf(KeeperException.NoAuthException.class);
        }
    }

    @Test
    void shouldRefuseWritesWithoutTheTokenAndServeReads() {
        HttpResponse<byte[]> refused = put(base + "/api/objects/doc", "{\"v\":1}");
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(text(refused)).contains("\"error\":\"token_required\"");
        assertThat(put(base + "/api/objects/doc", "{\"v\":1}", Headers.TOKEN, "not-the-token-at-all").statusCode())
                .isEqualTo(401);
        assertThat(get(base + "/api/objects/doc").statusCode()).as("nothing was stored").isEqualTo(404);

        assertThat(put(base + "/api/objects/doc", "{\"v\":1}", Headers.TOKEN, TOKEN).statusCode()).isEqualTo(201);
        assertThat(text(get(base + "/api/objects/doc"))).isEqualTo("{\"v\":1}");
        assertThat(Http.send("POST", base + "/replication/applied", "{}".getBytes(StandardCharsets.UTF_8)).statusCode())
                .as("a forged applied report").isEqualTo(401);
    }
}
