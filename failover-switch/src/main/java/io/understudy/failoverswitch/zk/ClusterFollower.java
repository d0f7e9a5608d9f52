package io.understudy.failoverswitch.zk;

import io.understudy.cluster.ClusterView;
import io.understudy.cluster.zk.ClusterWatcher;
import io.understudy.cluster.zk.ZkPaths;
import io.understudy.failoverswitch.routing.ZkLink;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The switch's only ZooKeeper adapter: one Curator client, the shared {@link ClusterWatcher}
 * (watches, never polls) and the connection state. Reports every change of either through
 * {@code onChange}, which runs on Curator threads and must only enqueue.
 */
public final class ClusterFollower implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClusterFollower.class);

    private final CuratorFramework client;
    private final ClusterWatcher watcher;
    private final String connectString;
    private volatile ZkLink link = ZkLink.CONNECTING;

    private ClusterFollower(CuratorFramework client, ClusterWatcher watcher, String connectString) {
        this.client = client;
        this.watcher = watcher;
        this.connectString = connectString;
    }

    /**
     * Connects (blocking up to {@code connectionTimeoutMs}) and starts watching.
     *
     * @throws IllegalStateException when ZooKeeper cannot be reached in time; nothing is left running
     */
    public static ClusterFollower start(String clusterName, String connectString, int sessionTimeoutMs,
            int connectionTimeoutMs, Runnable onChange) throws Exception {
        CuratorFramework client = CuratorFrameworkFactory.builder()
                .connectString(connectString)
                .sessionTimeoutMs(sessionTimeoutMs)
                .connectionTimeoutMs(connectionTimeoutMs)
                .retryPolicy(new ExponentialBackoffRetry(100, 29, 2000))
                .build();
        ClusterFollower follower = new ClusterFollower(client, new ClusterWatcher(client, new ZkPaths(clusterName)),
                connectString);
        try {
            client.getConnectionStateListenable().addListener((c, state) -> follower.onConnectionState(state, onChange));
            client.start();
            if (!client.blockUntilConnected(connectionTimeoutMs, TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("cannot reach ZooKeeper at " + connectString + " within "
                        + connectionTimeoutMs + " ms");
            }
            follower.watcher.addListener(view -> onChange.run());
            follower.watcher.start(client);
            if (!follower.watcher.awaitInitialized(connectionTimeoutMs, TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("ZooKeeper at " + connectString + " did not deliver the cluster view"
                        + " within " + connectionTimeoutMs + " ms");
            }
            return follower;
        } catch (Exception | Error e) {
            follower.close();
            throw e;
        }
    }

    private void onConnectionState(ConnectionState state, Runnable onChange) {
        ZkLink next = switch (state) {
            case CONNECTED, RECONNECTED -> ZkLink.CONNECTED;
            // read-only means a minority server: its view can be stale, like a suspended one
            case SUSPENDED, READ_ONLY -> ZkLink.SUSPENDED;
            case LOST -> ZkLink.LOST;
        };
        ZkLink previous = link;
        link = next;
        if (previous != next) {
            log.info("zookeeper {} -> {} (Curator reported {} for {})", previous, next, state, connectString);
        }
        onChange.run();
    }

    /** Latest state of the ZooKeeper connection; CONNECTING until the view has loaded. Any thread. */
    public ZkLink link() {
        return watcher.isInitialized() ? link : ZkLink.CONNECTING;
    }

    /** Latest cluster view. Any thread. */
    public ClusterView view() {
        return watcher.current();
    }

    @Override
    public void close() {
        watcher.close();
        client.close();
    }
}
