package io.understudy.node;

import static io.understudy.node.support.Http.get;
import static io.understudy.node.support.Http.put;
import static io.understudy.node.support.Http.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.understudy.cluster.ClusterJson;
import io.understudy.cluster.CommandRecord;
import io.understudy.cluster.HistoryRecord;
import io.understudy.cluster.zk.ZkPaths;
import io.understudy.node.support.Http;
import io.understudy.node.support.TestNodes;
import java.time.Duration;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Operator commands under /commands acted on by two real nodes: switchover, pause and resume. */
class NodeCommandsIT extends WithTwoDatabases {

    CuratorFramework operator;
    String urlA;
    String urlB;
    final ZkPaths paths = new ZkPaths("it");

    @BeforeEach
    void startNodes() throws Exception {
        operator = CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryOneTime(100));
        operator.start();
        NodeConfig configA = TestNodes.config("a", zk.getConnectString(), pgA, dir);
        NodeConfig configB = TestNodes.config("b", zk.getConnectString(), pgB, dir);
        urlA = configA.apiAdvertisedUrl();
        urlB = configB.apiAdvertisedUrl();
        a = Node.start(configA);
        await().atMost(Duration.ofSeconds(30)).until(() -> Http.status(urlA + "/primary") == 200);
        b = Node.start(configB);
        await().atMost(Duration.ofSeconds(60)).until(() -> Http.status(urlB + "/replica") == 200);
    }

    @AfterEach
    void closeOperator() {
        operator.close();
    }

    @Test
    void shouldHandOverToTheNamedSecondaryWithoutLosingAWrite() throws Exception {
        for (int i = 0; i < 20; i++) {
            assertThat(put(urlA + "/api/objects/k-" + i, "{\"i\":" + i + "}").statusCode()).isEqualTo(201);
        }
        long requested = System.nanoTime();
        send(new CommandRecord("so-1", CommandRecord.Type.SWITCHOVER, "b", 1, "it", System.currentTimeMillis(), "planned"));

        await().atMost(Duration.ofSeconds(20)).until(() -> put(urlB + "/api/objects/after", "{}").statusCode() == 201);
        System.getLogger("it").log(System.Logger.Level.INFO, "MEASURED switchover command to first write on b: "
                + Duration.ofNanos(System.nanoTime() - requested).toMillis() + " ms");
        assertThat(text(get(urlB + "/health"))).contains("\"epoch\":2");
        for (int i = 0; i < 20; i++) {
            assertThat(text(get(urlB + "/api/objects/k-" + i))).isEqualTo("{\"i\":" + i + "}");
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> Http.status(urlA + "/replica") == 200);
        await().atMost(Duration.ofSeconds(10)).until(() -> "{}".equals(text(get(urlA + "/api/objects/after"))));
        assertThat(put(urlA + "/api/objects/direct", "{}").statusCode()).isEqualTo(503);
        // b's drained stream stopped after the promotion; its slot on a is gone all the same.
        await().atMost(Duration.ofSeconds(20))
                .until(() -> SyncReplicationIT.PgRows.one(pgA, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'understudy_b'") == 0);
        assertThat(operator.getChildren().forPath(paths.commands())).isEmpty();
        assertThat(history()).extracting(HistoryRecord::type).contains(HistoryRecord.Type.SWITCHOVER, HistoryRecord.Type.COMMAND);
    }

    @Test
    void shouldRefuseASwitchoverToAnUnknownNodeAndStayPut() throws Exception {
        send(new CommandRecord("so-2", CommandRecord.Type.SWITCHOVER, "zz", 0, "it", System.currentTimeMillis(), null));
        await().atMost(Duration.ofSeconds(10)).until(() -> operator.getChildren().forPath(paths.commands()).isEmpty());
        assertThat(Http.status(urlA + "/primary")).isEqualTo(200);
        assertThat(history()).anySatisfy(h -> assertThat(h.reason()).contains("refused: target zz is not a member"));
    }

    @Test
    void shouldNotFailOverWhilePausedAndDoSoOnResume() throws Exception {
        send(new CommandRecord("p-1", CommandRecord.Type.PAUSE, null, 0, "it", System.currentTimeMillis(), "maintenance"));
        await().atMost(Duration.ofSeconds(10)).until(() -> operator.getChildren().forPath(paths.commands()).isEmpty());

        a.close();
        a = null;
        // With the primary gone and failover paused, b must stay a secondary: give it the time a
        // failover takes (session expiry + promotion), then check it did not promote.
        await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(8)).until(() -> Http.status(urlB + "/primary") == 503);

        send(new CommandRecord("r-1", CommandRecord.Type.RESUME, null, 0, "it", System.currentTimeMillis(), null));
        await().atMost(Duration.ofSeconds(20)).until(() -> Http.status(urlB + "/primary") == 200);
    }

    private void send(CommandRecord command) throws Exception {
        operator.create().creatingParentContainersIfNeeded().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
                .forPath(paths.commandEntry(), ClusterJson.toBytes(command));
    }
}
