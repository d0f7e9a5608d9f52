package io.understudy.cluster.zk;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A fresh real ZooKeeper server and a connected client per test, for cluster {@code it}. */
abstract class ZooKeeperTestBase {

    protected TestingServer server;
    protected CuratorFramework client;
    protected final ZkPaths paths = new ZkPaths("it");

    @BeforeEach
    void startZooKeeper() throws Exception {
        server = new TestingServer(true);
        client = CuratorFrameworkFactory.newClient(server.getConnectString(), new RetryOneTime(100));
        client.start();
    }

    @AfterEach
    void stopZooKeeper() throws Exception {
        client.close();
        server.close();
    }
}
