package io.understudy.launcher;

import io.understudy.cluster.config.LogSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default appliance on one machine: a 3-server ZooKeeper ensemble in this JVM, two
 * PostgreSQL servers, and the two nodes and the switch each in its own JVM. {@link #close} may be
 * called from any thread at any time (a shutdown hook during start-up): it makes a running
 * {@link #start} give up at its next step, then stops whatever was started. Getters are thread-safe.
 */
public final class LocalAppliance implements AutoCloseable {

    /** Lifecycle of the appliance. */
    public enum State {
        /** Built, nothing started. */
        NEW,
        /** Starting its parts; a failure here stops whatever was started. */
        STARTING,
        /** Primary and healthy secondary seen through the switch. */
        RUNNING,
        /** Stopping children, then PostgreSQL, then ZooKeeper. */
        STOPPING,
        /** Everything stopped; the data dir is unlocked. */
        STOPPED
    }

    public static final String SWITCH = ChildLauncher.SWITCH;
    private static final Duration CHILD_STOP_GRACE = Duration.ofSeconds(20);
    private static final Logger LOG = LoggerFactory.getLogger(LocalAppliance.class);

    private final ApplianceConfig config;
    private final String childClasspath;
    private final StatusClient statusClient;
    private final Map<String, LocalPostgres> postgres = new LinkedHashMap<>();
    private final Map<String, ChildProcess> children = new LinkedHashMap<>();
    private final Map<String, String> nodeSettings = new LinkedHashMap<>();
    /** Per node id, keys on top of {@link #nodeSettings}, e.g. the address of that node's own application. */
    private final Map<String, Map<String, String>> oneNodeSettings = new LinkedHashMap<>();
    private boolean proxiedZooKeeper;
    private LogSettings.Format childLogFormat = LogFormat.inEffect();
    private ZooKeeperProxies zooKeeperProxies;
    private volatile State state = State.NEW;
    private volatile boolean stopRequested;
    private DataDirLock lock;
    private EmbeddedEnsemble ensemble;
    private Duration startupTime;
    private boolean coldStart;

    /** @param childClasspath the classpath of the child JVMs (the shaded jar, or this JVM's classpath) */
    public LocalAppliance(ApplianceConfig config, String childClasspath) {
        this(config, childClasspath, Map.of());
    }

    /**
     * @param nodeSettings node configuration keys written into both nodes' files on top of the
     *                     appliance's own, e.g. {@code replication.mode=sync}; a node refuses to
     *                     start on an unknown key or a bad value, naming it
     */
    public LocalAppliance(ApplianceConfig config, String childClasspath, Map<String, String> nodeSettings) {
        this.config = config;
        this.nodeSettings.putAll(nodeSettings);
        // Children run in the data dir, so a relative entry (java -jar understudy.jar) must be made absolute.
        this.childClasspath = java.util.Arrays.stream(childClasspath.split(java.io.File.pathSeparator))
                .filter(entry -> !entry.isEmpty())
                .map(entry -> Path.of(entry).toAbsolutePath().toString())
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
        this.statusClient = new StatusClient(config.switchUrl());
    }

    public LocalAppliance(ApplianceConfig config) {
        this(config, System.getProperty("java.class.path"));
    }

    /**
     * Starts everything and blocks until the switch reports a primary and a healthy secondary.
     *
     * @throws IllegalStateException with a message for the operator (port taken, data dir in use,
     *         a child died, timeout); whatever had started is stopped again
     */
    public synchronized void start(Duration readyTimeout) {
        long begin = System.nanoTime();
        setState(State.NEW, State.STARTING, "data dir " + config.dataDir());
        try {
            ensureNotStopping();
            lock = DataDirLock.acquire(config.dataDir());
            coldStart = !Files.exists(config.postgresDir("a").resolve("postgresql.conf"));
            for (String id : ApplianceConfig.NODE_IDS) {
                postgres.put(id, new LocalPostgres("postgres-" + id, config.postgresDir(id), config.pgPort(id),
                        config.logDir().resolve("postgres-" + id + ".log")));
            }
            recoverFromUncleanStop();
            refuseTakenPorts();
            ensureNotStopping();
            ensemble = EmbeddedEnsemble.forAppliance(config);
            ensemble.start(Duration.ofSeconds(60));
            ensureNotStopping();
            startPostgres();
            ensureNotStopping();
            Map<String, Map<String, String>> overrides = new LinkedHashMap<>();
            if (proxiedZooKeeper) {
                zooKeeperProxies = new ZooKeeperProxies(config);
                overrides.putAll(zooKeeperProxies.nodeOverrides());
            }
            for (String id : ApplianceConfig.NODE_IDS) {
                Map<String, String> values = new LinkedHashMap<>(nodeSettings);
                values.putAll(oneNodeSettings.getOrDefault(id, Map.of()));
                values.putAll(overrides.getOrDefault(id, Map.of()));
                overrides.put(id, values);
            }
            ChildLauncher.writeConfigs(config, overrides, childLogFormat);
            ChildLauncher.startAll(config, childClasspath, runDir(), children);
            SwitchStatus status = awaitReady(readyTimeout);
            startupTime = Duration.ofNanos(System.nanoTime() - begin);
            setState(State.STARTING, State.RUNNING, status.summary());
            LOG.info(Banner.render(config, status, startupTime, coldStart));
        } catch (RuntimeException e) {
            if (stopRequested) {
                LOG.info("appliance start-up abandoned: asked to stop");
            } else {
                LOG.error("appliance failed to start: {}", e.getMessage());
            }
            stopNow("start-up failed");
            throw e;
        }
    }

    private void recoverFromUncleanStop() {
        Orphans.reap(runDir(), config.confDir());
        for (LocalPostgres pg : postgres.values()) {
            try {
                pg.recoverFromUncleanStop();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private void refuseTakenPorts() {
        List<Integer> taken = PortCheck.taken(config.ports());
        if (!taken.isEmpty()) {
            List<String> uses = taken.stream().map(port -> port + " for the " + config.portUses().get(port)).toList();
            throw new IllegalStateException("already in use on " + ApplianceConfig.HOST + " by another program: port "
                    + String.join(", port ", uses) + "; stop that program or choose other ports (see local --help)");
        }
    }

    /** Both servers at once: initdb dominates a first start and the two do not share anything. */
    private void startPostgres() {
        List<CompletableFuture<Void>> starts = new ArrayList<>();
        for (LocalPostgres pg : postgres.values()) {
            starts.add(CompletableFuture.runAsync(pg::start));
        }
        try {
            CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private SwitchStatus awaitReady(Duration timeout) {
        SwitchStatus[] last = new SwitchStatus[1];
        String[] lastSummary = {""};
        Waiter.await("a primary and a healthy secondary at " + config.switchUrl() + "/_understudy/status", timeout,
                Duration.ofMillis(250), () -> {
                    ensureNotStopping();
                    for (ChildProcess child : children.values()) {
                        if (!child.isAlive()) {
                            throw new IllegalStateException(child.name() + " exited with code " + child.process().exitValue()
                                    + " while the appliance was starting; see " + config.logDir().resolve(child.name() + ".log"));
                        }
                    }
                    Optional<SwitchStatus> status = statusClient.fetch();
                    status.ifPresent(s -> {
                        last[0] = s;
                        if (!s.summary().equals(lastSummary[0])) {
                            lastSummary[0] = s.summary();
                            LOG.info("waiting for the cluster: {}", s.summary());
                        }
                    });
                    return status.map(SwitchStatus::ready).orElse(false);
                });
        return last[0];
    }

    /**
     * Sets a node config key (e.g. {@code replication.mode=sync}) for both nodes; only before {@link #start}.
     *
     * @return this
     */
    public synchronized LocalAppliance nodeSetting(String key, String value) {
        requireNew("node settings");
        nodeSettings.put(key, value);
        return this;
    }

    /**
     * Sets a node config key for node {@code nodeId} only (e.g. {@code app.url}, each node fronting the application
     * on its own host); only before {@link #start}.
     *
     * @return this
     */
    public synchronized LocalAppliance nodeSetting(String nodeId, String key, String value) {
        requireNew("node settings");
        oneNodeSettings.computeIfAbsent(nodeId, id -> new LinkedHashMap<>()).put(key, value);
        return this;
    }

    /**
     * Routes each node's ZooKeeper traffic through fault proxies of its own in this process (see
     * {@link #setZooKeeperLink}); only before {@link #start}. The switch connects directly.
     *
     * @return this
     */
    public synchronized LocalAppliance withZooKeeperProxies() {
        requireNew("ZooKeeper proxies");
        proxiedZooKeeper = true;
        return this;
    }

    /**
     * How the nodes and the switch write their logs (default: as this process does); only before {@link #start}.
     *
     * @return this
     */
    public synchronized LocalAppliance childLogFormat(LogSettings.Format format) {
        requireNew("the children's log format");
        childLogFormat = format;
        return this;
    }

    private void requireNew(String what) {
        if (state != State.NEW) {
            throw new IllegalStateException(what + " can only be set before start; the appliance is " + state);
        }
    }

    public ApplianceConfig config() {
        return config;
    }

    public State state() {
        return state;
    }

    public String switchUrl() {
        return config.switchUrl();
    }

    public String nodeApiUrl(String nodeId) {
        return config.nodeApiUrl(nodeId);
    }

    /** The OS process of node {@code a} or {@code b}, e.g. to {@code kill -9} it in a drill. */
    public Process nodeProcess(String nodeId) {
        ChildProcess child = children.get(nodeName(nodeId));
        if (child == null) {
            throw new IllegalStateException("node " + nodeId + " is not running in this appliance");
        }
        return child.process();
    }

    /**
     * Starts node {@code a} or {@code b} again after it died (a drill's {@code kill -9}) and waits
     * until the switch reports a primary and a healthy secondary again.
     *
     * @throws IllegalStateException if the node is still running or the cluster is not ready in time
     */
    public synchronized void restartNode(String nodeId, Duration readyTimeout) {
        if (state != State.RUNNING) {
            throw new IllegalStateException("appliance is " + state + "; nodes restart only while it runs");
        }
        ChildProcess old = children.get(nodeName(nodeId));
        if (old != null && old.isAlive()) {
            throw new IllegalStateException(old.name() + " is still running");
        }
        LOG.info("starting {} again", nodeName(nodeId));
        ChildLauncher.startNode(config, childClasspath, runDir(), children, nodeId);
        awaitReady(readyTimeout);
    }

    /**
     * Kills the switch ({@code kill -9}), starts it again and waits until it answers its status
     * endpoint. Client requests fail while it is down.
     */
    public synchronized void restartSwitch(Duration timeout) {
        requireRunning("the switch restarts");
        ChildProcess old = children.get(SWITCH);
        old.process().destroyForcibly();
        try {
            if (!old.process().waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("switch (pid " + old.pid() + ") survived SIGKILL for 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while restarting the switch", e);
        }
        LOG.info("starting {} again", SWITCH);
        ChildLauncher.startSwitch(config, childClasspath, runDir(), children);
        Waiter.await("the restarted switch at " + config.switchUrl(), timeout, Duration.ofMillis(100),
                () -> statusClient.fetch().isPresent());
    }

    /** Stops ZooKeeper server {@code id} (1..3) for a drill; see {@link EmbeddedEnsemble#stopServer}. */
    public synchronized void stopZooKeeperServer(int id) {
        requireRunning("ZooKeeper servers stop");
        ensemble.stopServer(id);
    }

    /** Starts ZooKeeper server {@code id} again and waits for the full quorum. */
    public synchronized void startZooKeeperServer(int id, Duration timeout) {
        requireRunning("ZooKeeper servers start");
        ensemble.startServer(id, timeout);
    }

    /** The ZooKeeper server leading the ensemble now, or 0 while none does. */
    public synchronized int zooKeeperLeaderId() {
        return ensemble == null ? 0 : ensemble.leaderId();
    }

    /**
     * Cuts node {@code nodeId}'s links to every ZooKeeper server ({@code REFUSE} or {@code BLACKHOLE})
     * or restores them ({@code PASS}); needs {@link #withZooKeeperProxies}.
     */
    public void setZooKeeperLink(String nodeId, FaultProxy.Mode mode) {
        ZooKeeperProxies proxies = zooKeeperProxies;
        if (proxies == null) {
            throw new IllegalStateException("the appliance was started without withZooKeeperProxies()");
        }
        proxies.setMode(nodeId, mode);
    }

    /** Crashes node {@code nodeId}'s PostgreSQL ({@code kill -9} of the server); see {@link LocalPostgres#crash}. */
    public synchronized long crashPostgres(String nodeId) {
        requireRunning("PostgreSQL crashes");
        try {
            return postgres.get(nodeId).crash();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts node {@code nodeId}'s PostgreSQL again after {@link #crashPostgres} (crash recovery runs). */
    public synchronized void startPostgres(String nodeId) {
        requireRunning("PostgreSQL starts");
        postgres.get(nodeId).start();
    }

    private void requireRunning(String what) {
        if (state != State.RUNNING) {
            throw new IllegalStateException("appliance is " + state + "; " + what + " only while it runs");
        }
    }

    public Process switchProcess() {
        return children.get(SWITCH).process();
    }

    /** The primary as the switch sees it now; empty while there is none or the switch does not answer. */
    public Optional<String> primaryNodeId() {
        return statusClient.fetch().flatMap(SwitchStatus::primaryNodeId);
    }

    public Optional<SwitchStatus> status() {
        return statusClient.fetch();
    }

    /** How long the last {@link #start} took until ready. */
    public Duration startupTime() {
        return startupTime;
    }

    /** Whether the last start created the PostgreSQL clusters (initdb) rather than reusing them. */
    public boolean wasColdStart() {
        return coldStart;
    }

    /**
     * Stops children (SIGTERM, bounded wait, then SIGKILL), then PostgreSQL, then ZooKeeper, and
     * unlocks the data dir. Idempotent; never throws.
     */
    @Override
    public void close() {
        stopRequested = true;
        synchronized (this) {
            stopNow("asked to stop");
        }
    }

    private void stopNow(String reason) {
        if (state == State.STOPPING || state == State.STOPPED) {
            return;
        }
        long begin = System.nanoTime();
        setState(state, State.STOPPING, reason);
        children.values().forEach(ChildProcess::requestStop);
        children.values().forEach(c -> c.stop(CHILD_STOP_GRACE));
        postgres.values().forEach(LocalPostgres::close);
        if (zooKeeperProxies != null) {
            zooKeeperProxies.close();
        }
        if (ensemble != null) {
            ensemble.close();
        }
        if (lock != null) {
            lock.close();
        }
        setState(State.STOPPING, State.STOPPED, "stopped in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin) + " ms");
    }

    /** Start-up steps call this between steps, so a stop request during start-up wins quickly. */
    private void ensureNotStopping() {
        if (stopRequested) {
            throw new IllegalStateException("start-up abandoned: the appliance was asked to stop");
        }
    }

    private void setState(State expected, State next, String reason) {
        if (state != expected) {
            throw new IllegalStateException("appliance is " + state + ", not " + expected + "; cannot go to " + next);
        }
        LOG.info("appliance {} -> {} ({})", state, next, reason);
        state = next;
    }

    private Path runDir() {
        return config.dataDir().resolve("run");
    }

    static String nodeName(String nodeId) {
        return ChildLauncher.nodeName(nodeId);
    }
}
