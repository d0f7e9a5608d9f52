package io.understudy.cluster.zk;

import io.understudy.cluster.ClusterJson;
import io.understudy.cluster.ClusterSettings;
import java.util.function.UnaryOperator;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * Read-modify-write of the {@code /config} znode: the change is applied to what ZooKeeper holds now
 * and written with a versioned set, so two writers (a node pausing failover, an operator setting a
 * key through a switch) never overwrite each other's change. Blocks on ZooKeeper.
 */
public final class SettingsZnode {

    private static final int ATTEMPTS = 10;

    /** The settings before and after one update. */
    public record Update(ClusterSettings before, ClusterSettings after) {
    }

    private SettingsZnode() {
    }

    /**
     * Applies {@code change} to the current settings ({@link ClusterSettings#DEFAULTS} when the znode
     * does not exist yet) and writes the result; an exception thrown by {@code change} is passed on
     * and nothing is written.
     *
     * @throws IllegalStateException when other writers changed the znode under every attempt
     */
    public static Update update(CuratorFramework client, ZkPaths paths, UnaryOperator<ClusterSettings> change) throws Exception {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Stat stat = new Stat();
            try {
                byte[] data = client.getData().storingStatIn(stat).forPath(paths.config());
                ClusterSettings current = data == null || data.length == 0 ? ClusterSettings.DEFAULTS
                        : ClusterJson.fromBytes(data, ClusterSettings.class);
                ClusterSettings next = change.apply(current);
                client.setData().withVersion(stat.getVersion()).forPath(paths.config(), ClusterJson.toBytes(next));
                return new Update(current, next);
            } catch (KeeperException.NoNodeException e) {
                ClusterSettings next = change.apply(ClusterSettings.DEFAULTS);
                try {
                    client.create().creatingParentContainersIfNeeded().forPath(paths.config(), ClusterJson.toBytes(next));
                    return new Update(ClusterSettings.DEFAULTS, next);
                } catch (KeeperException.NodeExistsException raced) {
                    // another writer created it meanwhile; read it again
                }
            } catch (KeeperException.BadVersionException raced) {
                // changed under us; read it again
            }
        }
        throw new IllegalStateException("could not update " + paths.config() + " after " + ATTEMPTS + " attempts");
    }
}
