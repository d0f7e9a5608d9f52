package io.understudy.failoverswitch.zk;

import io.understudy.cluster.ClusterJson;
import io.understudy.cluster.ClusterSettings;
import io.understudy.cluster.ClusterView;
import io.understudy.cluster.CommandRecord;
import io.understudy.cluster.HistoryRecord;
import io.understudy.cluster.zk.ClusterWatcher;
import io.understudy.cluster.zk.ZkAuth;
import io.understudy.cluster.zk.SettingsZnode;
import io.understudy.cluster.zk.ZkPaths;
import io.understudy.failoverswitch.routing.ZkLink;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.CreateMode;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The switch's only ZooKeeper adapter: one Curator client, the shared {@link ClusterWatcher}
 * (watches, never polls) and the connection state. Reports every change of either through
 * {@code onChange}, which runs on Curator threads and must only enqueue.
 */
public final class ClusterFollower implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClusterFollower.class);
    /**
     * How long a starting switch waits for ZooKeeper and the first cluster view at least. A switch
     * started together with its ensemble (the local appliance, a host that boots) must not give up
     * while the servers are still starting or the machine is busy: on a loaded two-core machine
     * connecting and loading the view took longer than the 2 s connection timeout.
     */
    static final int START_WAIT_MS = 30_000;

    private final CuratorFramework client;
    private final ZkPaths paths;
    private final ClusterWatcher watcher;
    private final CuratorCache history;
    private final String connectString;
    private volatile ZkLink link = ZkLink.CONNECTING;

    private ClusterFollower(CuratorFramework client, ZkPaths paths, ClusterWatcher watcher, String connectString) {
        this.client = client;
        this.paths = paths;
        this.history = CuratorCache.build(client, paths.history());
        this.watcher = watcher;
        this.connectString = connectString;
    }

    /**
     * Connects and starts watching, blocking until the cluster view has loaded, for up to
     * {@code connectionTimeoutMs} or {@link #START_WAIT_MS}, whichever is longer.
     *
     * @param auth credentials for Understudy's znodes (see {@link ZkAuth}), or null when they are open
     * @throws IllegalStateException when ZooKeeper cannot be reached in time; nothing is left running
     */
    public static ClusterFollower start(String clusterName, String connectString, int sessionTimeoutMs,
            int connectionTimeoutMs, ZkAuth auth, Runnable onChange) throws Exception {
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder();
        CuratorFramework client = (auth == null ? builder : auth.applyTo(builder))
                .connectString(connectString)
                .sessionTimeoutMs(sessionTimeoutMs)
                .connectionTimeoutMs(connectionTimeoutMs)
                .retryPolicy(new ExponentialBackoffRetry(100, 29, 2000))
                .build();
        ZkPaths paths = new ZkPaths(clusterName);
        ClusterFollower follower = new ClusterFollower(client, paths, new ClusterWatcher(client, paths), connectString);
        try {
            client.getConnectionStateListenable().addListener((c, state) -> follower.onConnectionState(state, onChange));
            client.start();
            int startWaitMs = Math.max(connectionTimeoutMs, START_WAIT_MS);
            if (!client.blockUntilConnected(startWaitMs, TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("cannot reach ZooKeeper at " + connectString + " within "
                        + startWaitMs + " ms");
            }
            follower.watcher.addListener(view -> onChange.run());
            follower.watcher.start(client);
            follower.history.start();
            if (!follower.watcher.awaitInitialized(startWaitMs, TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("ZooKeeper at " + connectString + " did not deliver the cluster view"
                        + " within " + startWaitMs + " ms");
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

    /**
     * The newest {@code max} entries under {@code /history}, newest first, from a watched cache
     * (never blocks; entries that do not parse are skipped). Any thread.
     */
    public List<HistoryRecord> recentHistory(int max) {
        String prefix = paths.history() + "/";
        List<ChildData> entries = new ArrayList<>(history.stream()
                .filter(d -> d.getPath().startsWith(prefix) && d.getData() != null)
                .toList());
        entries.sort(Comparator.comparing(ChildData::getPath).reversed());
        List<HistoryRecord> newestFirst = new ArrayList<>();
        for (ChildData entry : entries) {
            if (newestFirst.size() == max) {
                break;
            }
            try {
                newestFirst.add(ClusterJson.fromBytes(entry.getData(), HistoryRecord.class));
            } catch (IllegalArgumentException e) {
                log.debug("skipping history entry {}: {}", entry.getPath(), e.getMessage());
            }
        }
        return newestFirst;
    }

    /**
     * Writes an operator command as the next {@code /commands/command-N}; returns its path.
     * Blocks on ZooKeeper: never call it on an IO thread.
     */
    public String submit(CommandRecord command) throws Exception {
        return client.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
                .forPath(paths.commandEntry(), ClusterJson.toBytes(command));
    }

    /**
     * Lets a removed node join again: deletes its {@code /roster} entry if, and only if, it still says removed
     * (versioned delete). Blocks on ZooKeeper: never call it on an IO thread.
     *
     * @return false when the node was not removed
     */
    public boolean readmit(String nodeId) throws Exception {
        String path = paths.rosterEntry(nodeId);
        for (int attempt = 0; attempt < 10; attempt++) {
            org.apache.zookeeper.data.Stat stat = new org.apache.zookeeper.data.Stat();
            byte[] data;
            try {
                data = client.getData().storingStatIn(stat).forPath(path);
            } catch (org.apache.zookeeper.KeeperException.NoNodeException e) {
                return false;
            }
            if (!ClusterJson.fromBytes(data, io.understudy.cluster.RosterEntry.class).removed()) {
                return false;
            }
            try {
                client.delete().withVersion(stat.getVersion()).forPath(path);
                log.info("readmitted {}: its roster entry {} is gone, so it may join again", nodeId, path);
                return true;
            } catch (org.apache.zookeeper.KeeperException.BadVersionException
                     | org.apache.zookeeper.KeeperException.NoNodeException raced) {
                // changed meanwhile; look again
            }
        }
        throw new IllegalStateException("could not readmit " + nodeId + ": " + path + " kept changing");
    }

    /**
     * Appends {@code record} as the next {@code /history/event-N}; returns its path. Blocks on
     * ZooKeeper: never call it on an IO thread.
     */
    public String appendHistory(HistoryRecord record) throws Exception {
        return client.create().creatingParentContainersIfNeeded().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
                .forPath(paths.historyEntry(), ClusterJson.toBytes(record));
    }

    /** Changes {@code /config} by a versioned read-modify-write (see {@link SettingsZnode}). Blocks on ZooKeeper. */
    public SettingsZnode.Update updateSettings(UnaryOperator<ClusterSettings> change) throws Exception {
        return SettingsZnode.update(client, paths, change);
    }

    @Override
    public void close() {
        history.close();
        watcher.close();
        client.close();
    }
}
