package io.understudy.failoverswitch;

import io.understudy.cluster.ClusterJson;
import io.understudy.cluster.MemberRecord;
import io.understudy.cluster.PrimaryRecord;
import io.understudy.cluster.Role;
import io.understudy.cluster.config.Settings;
import io.understudy.cluster.zk.ZkAuth;
import io.understudy.cluster.zk.ZkPaths;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.awaitility.Awaitility;

/** A real ZooKeeper plus the znode writes a node makes, for switch tests. */
final class ClusterFixture implements AutoCloseable {

    final ZkPaths paths = new ZkPaths("it");
    final TestingServer zk;
    final CuratorFramework curator;

    ClusterFixture() throws Exception {
        this(null);
    }

    /** @param auth the credentials the fixture's znodes are created with (as the nodes would), or null */
    ClusterFixture(ZkAuth auth) throws Exception {
        zk = new TestingServer(true);
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder().connectString(zk.getConnectString())
                .retryPolicy(new RetryOneTime(100));
        curator = (auth == null ? builder : auth.applyTo(builder)).build();
        curator.start();
    }

    SwitchServer startSwitch(Map<String, String> extra) throws Exception {
        Map<String, String> values = new HashMap<>(Map.of(
                "cluster.name", "it", "zookeeper.connect", zk.getConnectString(), "switch.port", "0",
                "zookeeper.sessionTimeoutMs", "4000", "switch.accessLog", "false"));
        values.putAll(extra);
        return SwitchServer.start(SwitchConfig.from(Settings.of("test", values)));
    }

    /** A switch (default settings but {@code extra}) that already routes to {@code nodeId}, primary in {@code epoch}. */
    SwitchServer startSwitchRoutingTo(String nodeId, String apiUrl, long epoch, Map<String, String> extra)
            throws Exception {
        promote(nodeId, apiUrl, epoch);
        SwitchServer server = startSwitch(extra);
        try {
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> nodeId.equals(server.status().route().nodeId()));
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    void register(String nodeId, String apiUrl, Role role, long epoch) throws Exception {
        byte[] bytes = ClusterJson.toBytes(new MemberRecord(nodeId, apiUrl, "db", role, epoch, 0,
                role == Role.SECONDARY ? 12 : -1, true, "test", 0));
        try {
            curator.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL)
                    .forPath(paths.member(nodeId), bytes);
        } catch (KeeperException.NodeExistsException e) {
            curator.setData().forPath(paths.member(nodeId), bytes);
        }
    }

    /** What a node's lost session looks like: its ephemeral member znode disappears. */
    void unregister(String nodeId) throws Exception {
        curator.delete().forPath(paths.member(nodeId));
    }

    /** What a promotion looks like from outside: the member says PRIMARY in the epoch, then /primary names it. */
    void promote(String nodeId, String apiUrl, long epoch) throws Exception {
        register(nodeId, apiUrl, Role.PRIMARY, epoch);
        setPrimary(nodeId, apiUrl, epoch);
    }

    void setPrimary(String nodeId, String apiUrl, long epoch) throws Exception {
        byte[] record = ClusterJson.toBytes(new PrimaryRecord(nodeId, apiUrl, "db", epoch, 0, null, 0));
        try {
            curator.create().creatingParentContainersIfNeeded().forPath(paths.primary(), record);
        } catch (KeeperException.NodeExistsException e) {
            curator.setData().forPath(paths.primary(), record);
        }
    }

    @Override
    public void close() throws Exception {
        curator.close();
        zk.close();
    }
}
