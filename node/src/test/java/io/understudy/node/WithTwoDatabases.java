package io.understudy.node;

import io.understudy.cluster.ClusterJson;
import io.understudy.cluster.HistoryRecord;
import io.understudy.cluster.zk.ZkPaths;
import io.understudy.node.support.Postgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base for two-node integration tests: a fresh real ZooKeeper and two real PostgreSQL servers per
 * test; the nodes {@code a} and {@code b} a test starts are closed after it, before the servers.
 */
abstract class WithTwoDatabases {

    @TempDir
    Path dir;
    TestingServer zk;
    EmbeddedPostgres pgA;
    EmbeddedPostgres pgB;
    Node a;
    Node b;

    @BeforeEach
    void startServers() throws Exception {
        zk = new TestingServer(true);
        pgA = Postgres.start();
        pgB = Postgres.start();
    }

    @AfterEach
    void stopEverything() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {b, a, pgA, pgB, zk}) {
            if (c != null) {
                c.close();
            }
        }
    }

    /** The cluster {@code it}'s history, oldest first, read with a client of its own. */
    List<HistoryRecord> history() throws Exception {
        try (CuratorFramework client = CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryOneTime(100))) {
            client.start();
            ZkPaths paths = new ZkPaths("it");
            List<HistoryRecord> out = new ArrayList<>();
            for (String child : client.getChildren().forPath(paths.history()).stream().sorted().toList()) {
                out.add(ClusterJson.fromBytes(client.getData().forPath(paths.history() + "/" + child), HistoryRecord.class));
            }
            return out;
        }
    }
}
