package io.understudy.node.election;

import io.understudy.cluster.ClusterJson;
import io.understudy.cluster.RosterEntry;
import io.understudy.cluster.SyncStandbys;
import io.understudy.cluster.zk.ZkPaths;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * The node's writes of {@code /roster/<nodeId>} and {@code /sync} (docs/membership.md), on the coordinator's ZooKeeper
 * client. Every write is versioned, so two writers cannot interleave. Blocking; never on a Curator thread.
 */
public final class MembershipRecords {

    private static final int ATTEMPTS = 10;

    private final CuratorFramework client;
    private final ZkPaths paths;

    public MembershipRecords(CuratorFramework client, ZkPaths paths) {
        this.client = client;
        this.paths = paths;
    }

    /** The roster entry of {@code nodeId}, if it has one. */
    public Optional<RosterEntry> rosterEntry(String nodeId) throws Exception {
        try {
            return Optional.of(ClusterJson.fromBytes(client.getData().forPath(paths.rosterEntry(nodeId)), RosterEntry.class));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        }
    }

    /** Adds {@code nodeId} to the roster as a member; false when it already has an entry (member or removed). */
    public boolean joinRoster(String nodeId, String reason) throws Exception {
        try {
            client.create().creatingParentContainersIfNeeded().forPath(paths.rosterEntry(nodeId), ClusterJson.toBytes(
                    new RosterEntry(nodeId, RosterEntry.State.MEMBER, System.currentTimeMillis(), reason)));
            return true;
        } catch (KeeperException.NodeExistsException e) {
            return false;
        }
    }

    /** Marks {@code nodeId} removed in the roster (creating its entry if it had none). */
    public void markRemoved(String nodeId, String reason) throws Exception {
        byte[] removed = ClusterJson.toBytes(new RosterEntry(nodeId, RosterEntry.State.REMOVED, System.currentTimeMillis(), reason));
        String path = paths.rosterEntry(nodeId);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Stat stat = client.checkExists().forPath(path);
            try {
                if (stat == null) {
                    client.create().creatingParentContainersIfNeeded().forPath(path, removed);
                } else {
                    client.setData().withVersion(stat.getVersion()).forPath(path, removed);
                }
                return;
            } catch (KeeperException.NodeExistsException | KeeperException.BadVersionException | KeeperException.NoNodeException raced) {
                // another writer changed it meanwhile; look again
            }
        }
        throw new IllegalStateException("could not mark " + nodeId + " removed in " + path + " after " + ATTEMPTS + " attempts");
    }

    /**
     * Writes {@code next} to {@code /sync}, unless the record there belongs to a newer epoch (a newer primary owns it).
     *
     * @throws ClaimLostException when a newer epoch's record is there
     */
    public void writeSyncStandbys(SyncStandbys next) throws Exception {
        byte[] bytes = ClusterJson.toBytes(next);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Stat stat = new Stat();
            try {
                byte[] data = client.getData().storingStatIn(stat).forPath(paths.sync());
                if (data != null && data.length > 0) {
                    SyncStandbys current = ClusterJson.fromBytes(data, SyncStandbys.class);
                    if (current.epoch() > next.epoch()) {
                        throw new ClaimLostException("/sync belongs to " + current.primary() + "@" + current.epoch()
                                + ", newer than epoch " + next.epoch());
                    }
                }
                client.setData().withVersion(stat.getVersion()).forPath(paths.sync(), bytes);
                return;
            } catch (KeeperException.NoNodeException e) {
                try {
                    client.create().creatingParentContainersIfNeeded().forPath(paths.sync(), bytes);
                    return;
                } catch (KeeperException.NodeExistsException raced) {
                    // created meanwhile; look again
                }
            } catch (KeeperException.BadVersionException raced) {
                // changed meanwhile; look again
            }
        }
        throw new IllegalStateException("could not write " + paths.sync() + " after " + ATTEMPTS + " attempts");
    }
}
