package io.understudy.cluster.zk;

import io.understudy.cluster.ClusterJson;
import io.understudy.cluster.ClusterView;
import io.understudy.cluster.MemberRecord;
import io.understudy.cluster.PrimaryRecord;
import java.io.Closeable;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches {@code /primary} and {@code /members} (ZooKeeper watches through {@link CuratorCache},
 * never polling) and turns every change into a fresh immutable {@link ClusterView}.
 *
 * <p>Threading: listeners run on Curator's cache thread and must only record or enqueue.
 * {@link #current()} may be called from any thread.
 */
public final class ClusterWatcher implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(ClusterWatcher.class);

    private final ZkPaths paths;
    private final CuratorCache primaryCache;
    private final CuratorCache membersCache;
    private final List<Consumer<ClusterView>> listeners = new CopyOnWriteArrayList<>();
    private volatile ClusterView current = ClusterView.EMPTY;

    public ClusterWatcher(CuratorFramework client, ZkPaths paths) {
        this.paths = paths;
        this.primaryCache = CuratorCache.build(client, paths.primary(), CuratorCache.Options.SINGLE_NODE_CACHE);
        this.membersCache = CuratorCache.build(client, paths.members());
        primaryCache.listenable().addListener((type, oldData, data) -> refresh());
        membersCache.listenable().addListener((type, oldData, data) -> refresh());
    }

    /** Creates the persistent parents if needed and starts watching. */
    public ClusterWatcher start(CuratorFramework client) throws Exception {
        try {
            client.create().creatingParentContainersIfNeeded().forPath(paths.members());
        } catch (KeeperException.NodeExistsException ignored) {
            // another node or switch created it first
        }
        primaryCache.start();
        membersCache.start();
        refresh();
        return this;
    }

    public void addListener(Consumer<ClusterView> listener) {
        listeners.add(listener);
        listener.accept(current);
    }

    public ClusterView current() {
        return current;
    }

    private synchronized void refresh() {
        ClusterView next = new ClusterView(readPrimary(), readMembers());
        if (next.equals(current)) {
            return;
        }
        current = next;
        for (Consumer<ClusterView> listener : listeners) {
            try {
                listener.accept(next);
            } catch (RuntimeException e) {
                log.error("cluster view listener failed", e);
            }
        }
    }

    private Optional<PrimaryRecord> readPrimary() {
        return primaryCache.get(paths.primary())
                .map(ChildData::getData)
                .filter(bytes -> bytes != null && bytes.length > 0)
                .flatMap(bytes -> decode(bytes, PrimaryRecord.class, paths.primary()));
    }

    private List<MemberRecord> readMembers() {
        String prefix = paths.members() + "/";
        List<MemberRecord> members = new ArrayList<>();
        membersCache.stream()
                .filter(d -> d.getPath().startsWith(prefix) && d.getData() != null && d.getData().length > 0)
                .forEach(d -> decode(d.getData(), MemberRecord.class, d.getPath()).ifPresent(members::add));
        return members;
    }

    private static <T> Optional<T> decode(byte[] bytes, Class<T> type, String path) {
        try {
            return Optional.of(ClusterJson.fromBytes(bytes, type));
        } catch (IllegalArgumentException e) {
            log.warn("ignoring unreadable znode {}: {}", path, e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        primaryCache.close();
        membersCache.close();
    }
}
