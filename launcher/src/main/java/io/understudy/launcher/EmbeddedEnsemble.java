package io.understudy.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.zookeeper.server.quorum.QuorumPeer;
import org.apache.zookeeper.server.quorum.QuorumPeer.ServerState;
import org.apache.zookeeper.server.quorum.QuorumPeerConfig;
import org.apache.zookeeper.server.quorum.QuorumPeerMain;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A ZooKeeper ensemble of real quorum peers (ZooKeeper's own server code) running in this JVM,
 * each with its own data directory, {@code myid} and {@code zoo.cfg}, so a restart on the same
 * directories keeps every znode. All ports are on 127.0.0.1. Not thread-safe: one owner starts
 * and closes it.
 */
public final class EmbeddedEnsemble implements AutoCloseable {

    /**
     * The leader checks session expiry once per tick and rounds every deadline up to the next tick
     * (ZooKeeper's ExpiryQueue), so a dead node's session ends between its timeout and one tick
     * later: 100 ms adds at most 0.1 s to a failover (500 ms added up to 0.5 s), and the quorum's
     * heartbeats every half tick are still cheap next to what the nodes do.
     */
    static final int TICK_TIME_MS = 100;
    /** Lower bound a client may negotiate: 2 ticks, ZooKeeper's default rule. */
    static final int MIN_SESSION_TIMEOUT_MS = 2 * TICK_TIME_MS;
    /** Upper bound a client may negotiate; the nodes ask for {@link ChildConfigs#NODE_SESSION_TIMEOUT_MS}. */
    static final int MAX_SESSION_TIMEOUT_MS = 30_000;
    /**
     * A follower must connect to and sync with a new leader within initLimit ticks (5 s), and stay
     * in touch within syncLimit ticks (3 s), else the leader drops it (and a leader that keeps no
     * quorum steps down, disconnecting every client). Counted in wall time, not ticks, so the
     * shorter tick does not make the quorum less patient with a loaded machine than it was.
     */
    static final int INIT_LIMIT_TICKS = 5000 / TICK_TIME_MS;
    static final int SYNC_LIMIT_TICKS = 3000 / TICK_TIME_MS;

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedEnsemble.class);

    /** One server of the ensemble: its id (myid), its directory and its three ports. */
    public record Server(int id, Path dir, int clientPort, int quorumPort, int electionPort) {
    }

    /** Lifecycle of the ensemble. */
    enum State {
        /** Built, nothing started. */
        NEW,
        /** Peers started (not necessarily in quorum yet). */
        RUNNING,
        /** Peers shut down; cannot be restarted (build a new one on the same directories). */
        CLOSED
    }

    private final List<Server> servers;
    /** Copy-on-write: {@link #leaderId} reads it from any thread while a server is restarted. */
    private final List<Peer> peers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private State state = State.NEW;

    public EmbeddedEnsemble(List<Server> servers) {
        if (servers.size() < 3 || servers.size() % 2 == 0) {
            throw new IllegalArgumentException("an ensemble needs an odd number >= 3 of servers, got " + servers.size());
        }
        this.servers = List.copyOf(servers);
    }

    public static EmbeddedEnsemble forAppliance(ApplianceConfig config) {
        List<Server> servers = new ArrayList<>();
        for (int i = 0; i < ApplianceConfig.ZK_SERVERS; i++) {
            int id = i + 1;
            servers.add(new Server(id, config.zookeeperDir(id), config.zkClientPortBase() + i,
                    config.zkQuorumPortBase() + i, config.zkElectionPortBase() + i));
        }
        return new EmbeddedEnsemble(servers);
    }

    public String connectString() {
        return String.join(",", servers.stream().map(s -> ApplianceConfig.HOST + ":" + s.clientPort()).toList());
    }

    /**
     * Starts every peer and blocks until one leads and all others follow.
     *
     * @throws IllegalStateException if a peer fails to start or no quorum forms within {@code timeout}
     */
    public void start(Duration timeout) {
        if (state != State.NEW) {
            throw new IllegalStateException("ensemble cannot be started from " + state);
        }
        // The AdminServer would listen on 8080, which is the switch's port; the appliance does not use it.
        System.setProperty("zookeeper.admin.enableServer", "false");
        setState(State.RUNNING, "starting " + servers.size() + " peers on " + connectString());
        for (Server server : servers) {
            QuorumPeerConfig config = parse(server, writeConfig(server));
            Peer peer = new Peer(server.id());
            peers.add(peer);
            peer.start(config);
        }
        Waiter.await("a ZooKeeper quorum on " + connectString(), timeout, Duration.ofMillis(50), this::inQuorum);
        LOG.info("ZooKeeper quorum formed: {}", describe());
    }

    /** True when one peer leads, every other peer follows, and every peer serves clients. */
    public boolean inQuorum() {
        failIfPeerDied();
        int leaders = 0;
        int followers = 0;
        for (Peer peer : peers) {
            QuorumPeer quorumPeer = peer.quorumPeer();
            if (quorumPeer == null || quorumPeer.getActiveServer() == null || !quorumPeer.getActiveServer().isRunning()) {
                return false;
            }
            ServerState peerState = quorumPeer.getPeerState();
            if (peerState == ServerState.LEADING) {
                leaders++;
            } else if (peerState == ServerState.FOLLOWING) {
                followers++;
            }
        }
        return leaders == 1 && followers == servers.size() - 1;
    }

    /**
     * Shuts server {@code id} down (a fault drill) and waits for its thread; the others keep or
     * re-form the quorum. Its directory is kept, so {@link #startServer} brings it back with its data.
     *
     * @throws IllegalStateException when the ensemble is not running or the server is already down
     */
    public synchronized void stopServer(int id) {
        Peer peer = peer(id);
        if (peer.stopped) {
            throw new IllegalStateException("ZooKeeper server " + id + " is already stopped");
        }
        LOG.info("stopping ZooKeeper server {} ({}; drill)", id, peer.isLeading() ? "leader" : "follower");
        peer.shutdown();
        peer.join(Duration.ofSeconds(30));
        peer.stopped = true; // after shutdown(), which does nothing to a peer already marked stopped
    }

    /** Starts server {@code id} again after {@link #stopServer} and waits until the whole ensemble is in quorum. */
    public synchronized void startServer(int id, Duration timeout) {
        Peer old = peer(id);
        if (!old.stopped) {
            throw new IllegalStateException("ZooKeeper server " + id + " is running");
        }
        Server server = servers.stream().filter(s -> s.id() == id).findFirst().orElseThrow();
        Peer peer = new Peer(id);
        peers.set(peers.indexOf(old), peer);
        LOG.info("starting ZooKeeper server {} again", id);
        peer.start(parse(server, writeConfig(server)));
        Waiter.await("a ZooKeeper quorum with server " + id + " back", timeout, Duration.ofMillis(50), this::inQuorum);
        LOG.info("ZooKeeper quorum formed: {}", describe());
    }

    /** The id of the server leading now, or 0 while none does. */
    public int leaderId() {
        return peers.stream().filter(p -> !p.stopped && p.isLeading()).mapToInt(p -> p.id).findFirst().orElse(0);
    }

    public List<Integer> serverIds() {
        return servers.stream().map(Server::id).toList();
    }

    private Peer peer(int id) {
        if (state != State.RUNNING) {
            throw new IllegalStateException("the ensemble is " + state);
        }
        return peers.stream().filter(p -> p.id == id).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no ZooKeeper server " + id + "; servers are " + serverIds()));
    }

    private String describe() {
        List<String> parts = new ArrayList<>();
        for (Peer peer : peers) {
            QuorumPeer quorumPeer = peer.quorumPeer();
            parts.add(peer.id + "=" + (peer.stopped ? "stopped" : quorumPeer == null ? "not started" : quorumPeer.getPeerState()));
        }
        return String.join(", ", parts);
    }

    private void failIfPeerDied() {
        for (Peer peer : peers) {
            Throwable failure = peer.failure.get();
            if (failure != null && !peer.stopped) {
                throw new IllegalStateException("ZooKeeper server " + peer.id + " failed: " + failure.getMessage(), failure);
            }
        }
    }

    /** Shuts every peer down and waits (bounded) for their threads; idempotent. */
    @Override
    public void close() {
        if (state == State.CLOSED) {
            return;
        }
        setState(State.CLOSED, "shutting down");
        // Followers first, leader last: a follower that outlives its leader starts an election and
        // logs rejected connection attempts at ERROR when it is shut down in the middle of it.
        List<Peer> order = new ArrayList<>(peers);
        order.sort(java.util.Comparator.comparing(Peer::isLeading));
        for (Peer peer : order) {
            peer.shutdown();
        }
        for (Peer peer : peers) {
            peer.join(Duration.ofSeconds(10));
        }
    }

    private void setState(State next, String reason) {
        LOG.info("ensemble {} -> {} ({})", state, next, reason);
        state = next;
    }

    /** Writes {@code myid} once and {@code zoo.cfg} every start, so ports may change between runs. */
    private Path writeConfig(Server server) {
        try {
            Files.createDirectories(server.dir());
            Path myid = server.dir().resolve("myid");
            if (Files.exists(myid)) {
                String existing = Files.readString(myid, StandardCharsets.US_ASCII).trim();
                if (!existing.equals(Integer.toString(server.id()))) {
                    throw new IllegalStateException(myid + " says server " + existing + " but this directory belongs to server "
                            + server.id() + "; the ZooKeeper data directories were mixed up");
                }
            } else {
                Files.writeString(myid, server.id() + "\n", StandardCharsets.US_ASCII);
            }
            Map<String, String> values = new java.util.LinkedHashMap<>();
            values.put("tickTime", Integer.toString(TICK_TIME_MS));
            values.put("initLimit", Integer.toString(INIT_LIMIT_TICKS));
            values.put("syncLimit", Integer.toString(SYNC_LIMIT_TICKS));
            values.put("minSessionTimeout", Integer.toString(MIN_SESSION_TIMEOUT_MS));
            values.put("maxSessionTimeout", Integer.toString(MAX_SESSION_TIMEOUT_MS));
            values.put("dataDir", server.dir().toString());
            values.put("clientPortAddress", ApplianceConfig.HOST);
            values.put("clientPort", Integer.toString(server.clientPort()));
            values.put("admin.enableServer", "false");
            // Becomes the system property zookeeper.maxCnxns; left unset, every server warns about it.
            values.put("maxCnxns", "500");
            values.put("autopurge.snapRetainCount", "3");
            values.put("autopurge.purgeInterval", "1");
            for (Server member : servers) {
                values.put("server." + member.id(), String.format("%s:%d:%d;%s:%d", ApplianceConfig.HOST, member.quorumPort(),
                        member.electionPort(), ApplianceConfig.HOST, member.clientPort()));
            }
            Path zooCfg = server.dir().resolve("zoo.cfg");
            ChildConfigs.write(zooCfg, "written by the understudy launcher at every start", values);
            return zooCfg;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare ZooKeeper directory " + server.dir(), e);
        }
    }

    private static QuorumPeerConfig parse(Server server, Path zooCfg) {
        QuorumPeerConfig config = new QuorumPeerConfig();
        try {
            config.parse(zooCfg.toString());
        } catch (QuorumPeerConfig.ConfigException e) {
            throw new IllegalStateException("ZooKeeper server " + server.id() + ": bad " + zooCfg + ": " + e.getMessage(), e);
        }
        return config;
    }

    /** One quorum peer, run by ZooKeeper's own main on a dedicated thread that blocks until shutdown. */
    private static final class Peer extends QuorumPeerMain {
        private final int id;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        /** Shut down on purpose by {@link EmbeddedEnsemble#stopServer}. */
        private volatile boolean stopped;
        private Thread thread;

        Peer(int id) {
            this.id = id;
        }

        void start(QuorumPeerConfig config) {
            thread = new Thread(() -> {
                try {
                    runFromConfig(config);
                } catch (Exception | Error e) {
                    failure.set(e);
                    LOG.error("ZooKeeper server {} stopped with an error", id, e);
                }
            }, "zk-server-" + id);
            thread.setDaemon(true);
            thread.start();
        }

        /** The running peer, or null before {@code runFromConfig} created it. Any thread. */
        QuorumPeer quorumPeer() {
            return quorumPeer;
        }

        boolean isLeading() {
            QuorumPeer peer = quorumPeer;
            return peer != null && peer.getPeerState() == ServerState.LEADING;
        }

        void shutdown() {
            QuorumPeer peer = quorumPeer;
            if (peer != null && !stopped) {
                peer.shutdown();
            }
        }

        void join(Duration timeout) {
            try {
                thread.join(timeout.toMillis());
                if (thread.isAlive()) {
                    LOG.warn("ZooKeeper server {} did not stop within {} ms", id, timeout.toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
