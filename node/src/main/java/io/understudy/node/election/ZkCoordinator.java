package io.understudy.node.election;

import io.understudy.cluster.ClusterJson;
import io.understudy.cluster.ClusterView;
import io.understudy.cluster.HistoryRecord;
import io.understudy.cluster.MemberRecord;
import io.understudy.cluster.PrimaryRecord;
import io.understudy.cluster.RosterEntry;
import io.understudy.cluster.zk.ClusterWatcher;
import io.understudy.cluster.zk.SessionFile;
import io.understudy.cluster.zk.ZkAuth;
import io.understudy.cluster.zk.SettingsZnode;
import io.understudy.cluster.zk.ZkPaths;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.SessionConnectionStateErrorPolicy;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's thin adapter to ZooKeeper: membership (an ephemeral znode Curator re-creates after a
 * session loss), the election latch, the versioned write of {@code /primary}, history, and a
 * lease round trip. Decisions live in {@code RoleMachine}; this class only carries them out.
 *
 * <p>Callbacks (connection state, leadership, cluster view) arrive on Curator threads and must
 * only enqueue. The other methods may block and are called from the node's event thread, except
 * {@link #confirmContact()}, which the lease thread calls.
 */
public final class ZkCoordinator implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(ZkCoordinator.class);

    /** Receives ZooKeeper events; implementations must return quickly. */
    public interface Listener {
        void onConnectionStateChanged(ConnectionState state);

        void onLeadershipChanged(boolean leader);

        void onClusterView(ClusterView view);
    }

    private final String nodeId;
    private final ZkPaths paths;
    private final Listener listener;
    private final CuratorFramework client;
    private final MembershipRecords records;
    private final String clusterName;
    private final Path sessionFile;
    private PersistentNode member;
    private ClusterWatcher watcher;
    private LeaderLatch latch;

    /**
     * @param sessionFile where each new session's credentials are recorded (see {@link SessionFile}), or null
     * @param auth        credentials that own the znodes this node creates (see {@link ZkAuth}), or null for open znodes
     */
    public ZkCoordinator(String nodeId, String clusterName, String connect, int sessionTimeoutMs,
                         int connectionTimeoutMs, Listener listener, Path sessionFile, ZkAuth auth) {
        this.nodeId = nodeId;
        this.sessionFile = sessionFile;
        this.paths = new ZkPaths(clusterName);
        this.listener = listener;
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder();
        this.client = (auth == null ? builder : auth.applyTo(builder))
                .connectString(connect)
                .sessionTimeoutMs(sessionTimeoutMs)
                .connectionTimeoutMs(connectionTimeoutMs)
                .retryPolicy(new ExponentialBackoffRetry(100, 3, 1000))
                // Leadership follows the session, not the TCP connection: a blip that the session
                // survives (one ZooKeeper server lost) must not hand the latch to another node.
                .connectionStateErrorPolicy(new SessionConnectionStateErrorPolicy())
                // Curator's ensemble tracker would replace zookeeper.connect with the client addresses the
                // servers publish in /zookeeper/config: a node configured to reach ZooKeeper through a proxy,
                // NAT or DNS name would silently bypass it (the chaos suite's ZooKeeper cut did not cut).
                .ensembleTracker(false)
                .build();
        this.records = new MembershipRecords(client, paths);
        this.clusterName = clusterName;
    }

    /**
     * Connects (waiting up to {@code waitMs}), takes its place in the roster, registers the member znode and starts
     * watching.
     *
     * @throws NodeRemovedException when the roster says this node was removed (nothing was registered)
     */
    public void start(MemberRecord initial, long waitMs) throws Exception {
        client.getConnectionStateListenable().addListener((c, state) -> {
            if (state == ConnectionState.RECONNECTED) {
                recordSession(); // after an expiry Curator runs a new session
            }
            listener.onConnectionStateChanged(state);
        });
        client.start();
        if (!client.blockUntilConnected((int) waitMs, TimeUnit.MILLISECONDS)) {
            throw new IOException("could not connect to ZooKeeper within " + waitMs + " ms");
        }
        recordSession();
        Optional<RosterEntry> entry = records.rosterEntry(nodeId);
        if (entry.filter(RosterEntry::removed).isPresent()) {
            throw new NodeRemovedException(nodeId, clusterName, entry.get());
        }
        boolean joined = entry.isEmpty() && records.joinRoster(nodeId, "joined the cluster");
        member = new PersistentNode(client, CreateMode.EPHEMERAL, false, paths.member(nodeId), ClusterJson.toBytes(initial));
        member.start();
        if (!member.waitForInitialCreate(waitMs, TimeUnit.MILLISECONDS)) {
            throw new IOException("could not register " + paths.member(nodeId) + " within " + waitMs + " ms");
        }
        watcher = new ClusterWatcher(client, paths).start(client);
        watcher.addListener(listener::onClusterView);
        log.info("registered as {} (session timeout {} ms)", paths.member(nodeId), negotiatedSessionTimeoutMs());
        if (joined) {
            log.info("joined the cluster's roster as {}", paths.rosterEntry(nodeId));
            recordHistory(new HistoryRecord(HistoryRecord.Type.MEMBER_ADDED, nodeId, null, watcher.current().epoch(),
                    System.currentTimeMillis(), nodeId + " joined the cluster"));
        }
    }

    /** The roster and {@code /sync} records, written through this coordinator's session. */
    public MembershipRecords records() {
        return records;
    }

    private void recordSession() {
        if (sessionFile == null) {
            return;
        }
        try {
            ZooKeeper zk = client.getZookeeperClient().getZooKeeper();
            SessionFile.write(sessionFile, new SessionFile.Credentials(zk.getSessionId(), zk.getSessionPasswd()));
        } catch (Exception e) {
            log.warn("cannot record the ZooKeeper session in {}: {} (a supervisor cannot end it early if this node dies)",
                    sessionFile, e.toString());
        }
    }

    /** The connected client, for the node's parts that keep records of their own (duties); not for role decisions. */
    public CuratorFramework client() {
        return client;
    }

    public ZkPaths paths() {
        return paths;
    }

    public int negotiatedSessionTimeoutMs() {
        try {
            return client.getZookeeperClient().getZooKeeper().getSessionTimeout();
        } catch (Exception e) {
            throw new IllegalStateException("no ZooKeeper session", e);
        }
    }

    public void publishMember(MemberRecord record) throws Exception {
        member.setData(ClusterJson.toBytes(record));
    }

    /** Stands in the election; idempotent. */
    public void joinElection() throws Exception {
        if (latch != null) {
            return;
        }
        latch = new LeaderLatch(client, paths.election(), nodeId);
        latch.addListener(new LeaderLatchListener() {
            @Override
            public void isLeader() {
                listener.onLeadershipChanged(true);
            }

            @Override
            public void notLeader() {
                listener.onLeadershipChanged(false);
            }
        });
        latch.start();
    }

    /** Leaves the election (giving up leadership if held); idempotent. */
    public void leaveElection() throws IOException {
        if (latch == null) {
            return;
        }
        LeaderLatch old = latch;
        latch = null;
        old.close(LeaderLatch.CloseMode.NOTIFY_LEADER);
    }

    public boolean inElection() {
        return latch != null;
    }

    /**
     * Writes {@code next} to {@code /primary} only if it still holds {@code expected} (absent when
     * {@code expected} is null), by a versioned set, so that of two racing promotions one loses.
     */
    public void casPrimary(PrimaryRecord expected, PrimaryRecord next) throws Exception {
        byte[] bytes = ClusterJson.toBytes(next);
        Stat stat = new Stat();
        byte[] data;
        try {
            data = client.getData().storingStatIn(stat).forPath(paths.primary());
        } catch (KeeperException.NoNodeException e) {
            data = null;
        }
        if (expected == null) {
            if (data != null) {
                throw new ClaimLostException("the cluster already has a primary record");
            }
            try {
                client.create().creatingParentContainersIfNeeded().forPath(paths.primary(), bytes);
            } catch (KeeperException.NodeExistsException e) {
                throw new ClaimLostException("another node bootstrapped the cluster first");
            }
            return;
        }
        if (data == null) {
            throw new ClaimLostException("the /primary record disappeared");
        }
        PrimaryRecord current = ClusterJson.fromBytes(data, PrimaryRecord.class);
        if (current.epoch() != expected.epoch() || !current.nodeId().equals(expected.nodeId())) {
            throw new ClaimLostException("/primary moved on to " + current.nodeId() + "@" + current.epoch());
        }
        try {
            client.setData().withVersion(stat.getVersion()).forPath(paths.primary(), bytes);
        } catch (KeeperException.BadVersionException e) {
            throw new ClaimLostException("/primary changed during promotion");
        }
    }

    /**
     * Confirms, by a fresh read, that {@code /primary} still names this node in {@code epoch} and
     * that the session is the one {@code sessionId} names; returns the monotonic time the read began.
     */
    public long confirmClaim(long epoch, long sessionId) throws Exception {
        long sentAt = System.nanoTime();
        PrimaryRecord current = ClusterJson.fromBytes(client.getData().forPath(paths.primary()), PrimaryRecord.class);
        if (!current.nodeId().equals(nodeId) || current.epoch() != epoch) {
            throw new ClaimLostException("/primary now names " + current.nodeId() + "@" + current.epoch());
        }
        if (sessionId() != sessionId) {
            throw new ClaimLostException("the ZooKeeper session changed; epoch " + epoch + " may have been taken over");
        }
        return sentAt;
    }

    public long sessionId() throws Exception {
        return client.getZookeeperClient().getZooKeeper().getSessionId();
    }

    /** Removes a handled command; false when another node removed it first. */
    public boolean completeCommand(String znode) throws Exception {
        try {
            client.delete().forPath(paths.commands() + "/" + znode);
            return true;
        } catch (KeeperException.NoNodeException e) {
            return false;
        }
    }

    /** Sets automatic failover off or on in {@code /config}, keeping the other settings. */
    public void setFailoverPaused(boolean paused, String reason) throws Exception {
        SettingsZnode.update(client, paths, current -> current.withPause(paused, reason));
    }

    /** Appends to {@code /history/} in the background; a failure is logged, never thrown. */
    public void recordHistory(HistoryRecord record) {
        try {
            client.create().creatingParentContainersIfNeeded().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
                    .inBackground((c, event) -> {
                        if (event.getResultCode() != KeeperException.Code.OK.intValue()) {
                            log.warn("could not record history {}: {}", record, KeeperException.Code.get(event.getResultCode()));
                        }
                    })
                    .forPath(paths.historyEntry(), ClusterJson.toBytes(record));
        } catch (Exception e) {
            log.warn("could not record history {}", record, e);
        }
    }

    /**
     * One round trip to ZooKeeper. Returns the monotonic time it started: the server heard from
     * this session after that instant, so the session cannot expire before it plus the timeout.
     */
    public long confirmContact() throws Exception {
        long sentAt = System.nanoTime();
        client.checkExists().forPath(paths.base());
        return sentAt;
    }

    @Override
    public void close() throws IOException {
        leaveElection();
        if (watcher != null) {
            watcher.close();
        }
        if (member != null) {
            member.close();
        }
        client.close();
    }
}
