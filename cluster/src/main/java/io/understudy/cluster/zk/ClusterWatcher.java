package io.understudy.cluster.zk;

import io.understudy.cluster.ClusterJson;
import io.understudy.cluster.ClusterSettings;
import io.understudy.cluster.ClusterView;
import io.understudy.cluster.CommandRecord;
import io.understudy.cluster.MemberRecord;
import io.understudy.cluster.PrimaryRecord;
import io.understudy.cluster.QueuedCommand;
import io.understudy.cluster.RosterEntry;
import io.understudy.cluster.SyncStandbys;
import java.io.Closeable;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches {@code /primary}, {@code /members}, {@code /config}, {@code /commands}, {@code /roster} and
 * {@code /sync} (ZooKeeper watches through {@link CuratorCache}, never polling) and turns every change
 * into a fresh immutable {@link ClusterView}.
 *
 * <p>No view is published before every cache has loaded what ZooKeeper holds: an empty view
 * seen too early would make a cluster with a primary look like an empty one.
 *
 * <p>Threading: listeners run on Curator's cache thread and must only record or enqueue.
 * {@link #current()} may be called from any thread.
 */
public final class ClusterWatcher implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(ClusterWatcher.class);

    private final ZkPaths paths;
    private final CuratorCache primaryCache;
    private final CuratorCache membersCache;
    private final CuratorCache configCache;
    private final CuratorCache commandsCache;
    private final CuratorCache rosterCache;
    private final CuratorCache syncCache;
    private final List<CuratorCache> caches;
    private final List<Consumer<ClusterView>> listeners = new CopyOnWriteArrayList<>();
    private final CountDownLatch initialized;
    private volatile ClusterView current = ClusterView.EMPTY;

    public ClusterWatcher(CuratorFramework client, ZkPaths paths) {
        this.paths = paths;
        this.primaryCache = CuratorCache.build(client, paths.primary(), CuratorCache.Options.SINGLE_NODE_CACHE);
        this.membersCache = CuratorCache.build(client, paths.members());
        this.configCache = CuratorCache.build(client, paths.config(), CuratorCache.Options.SINGLE_NODE_CACHE);
        this.commandsCache = CuratorCache.build(client, paths.commands());
        this.rosterCache = CuratorCache.build(client, paths.roster());
        this.syncCache = CuratorCache.build(client, paths.sync(), CuratorCache.Options.SINGLE_NODE_CACHE);
        this.caches = List.of(primaryCache, membersCache, configCache, commandsCache, rosterCache, syncCache);
        this.initialized = new CountDownLatch(caches.size());
        for (CuratorCache cache : caches) {
            cache.listenable().addListener(refreshing());
        }
    }

    /** Creates the persistent parents if needed and starts watching. */
    public ClusterWatcher start(CuratorFramework client) throws Exception {
        for (String parent : List.of(paths.members(), paths.commands(), paths.roster())) {
            try {
                client.create().creatingParentContainersIfNeeded().forPath(parent);
            } catch (KeeperException.NodeExistsException ignored) {
                // another node or switch created it first
            }
        }
        caches.forEach(CuratorCache::start);
        refresh();
        return this;
    }

    private CuratorCacheListener refreshing() {
        return CuratorCacheListener.builder()
                .forAll((type, oldData, data) -> refresh())
                .forInitialized(() -> {
                    initialized.countDown();
                    refresh();
                })
                .build();
    }

    /** Adds a listener; it is called at once with the current view if the caches have loaded. */
    public void addListener(Consumer<ClusterView> listener) {
        listeners.add(listener);
        if (isInitialized()) {
            listener.accept(current);
        }
    }

    public boolean isInitialized() {
        return initialized.getCount() == 0;
    }

    /** Waits until every cache has loaded; returns false on timeout. */
    public boolean awaitInitialized(long timeout, TimeUnit unit) throws InterruptedException {
        return initialized.await(timeout, unit);
    }

    public ClusterView current() {
        return current;
    }

    private synchronized void refresh() {
        if (!isInitialized()) {
            return;
        }
        ClusterView next = new ClusterView(readPrimary(), readMembers(), readSettings(), readCommands(), readRoster(),
                readSync());
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

    private ClusterSettings readSettings() {
        return configCache.get(paths.config())
                .map(ChildData::getData)
                .filter(bytes -> bytes != null && bytes.length > 0)
                .flatMap(bytes -> decode(bytes, ClusterSettings.class, paths.config()))
                .orElse(ClusterSettings.DEFAULTS);
    }

    private List<QueuedCommand> readCommands() {
        String prefix = paths.commands() + "/";
        List<QueuedCommand> commands = new ArrayList<>();
        commandsCache.stream()
                .filter(d -> d.getPath().startsWith(prefix) && d.getData() != null && d.getData().length > 0)
                .forEach(d -> decode(d.getData(), CommandRecord.class, d.getPath())
                        .ifPresent(c -> commands.add(new QueuedCommand(d.getPath().substring(prefix.length()), c))));
        return commands;
    }

    private List<RosterEntry> readRoster() {
        String prefix = paths.roster() + "/";
        List<RosterEntry> roster = new ArrayList<>();
        rosterCache.stream()
                .filter(d -> d.getPath().startsWith(prefix) && d.getData() != null && d.getData().length > 0)
                .forEach(d -> decode(d.getData(), RosterEntry.class, d.getPath()).ifPresent(roster::add));
        return roster;
    }

    private Optional<SyncStandbys> readSync() {
        return syncCache.get(paths.sync())
                .map(ChildData::getData)
                .filter(bytes -> bytes != null && bytes.length > 0)
                .flatMap(bytes -> decode(bytes, SyncStandbys.class, paths.sync()));
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
        caches.forEach(CuratorCache::close);
    }
}
