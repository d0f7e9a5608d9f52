package io.understudy.launcher;

import io.understudy.cluster.config.LogSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
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
 * The embedded default appliance on one machine: a 3-server ZooKeeper ensemble in this JVM, one PostgreSQL server
 * per node, and the nodes and the switch each in its own JVM, kept running by a {@link Supervisor} (a child that dies
 * is started again with back-off). Nodes can be added and removed while it runs ({@link ApplianceMembers}).
 * {@link #close} may be called from any thread at any time (a shutdown hook during start-up): it makes a running
 * {@link #start} give up at its next step, then stops whatever was started. Getters are thread-safe.
 */
public final class LocalAppliance implements AutoCloseable {

    /** Lifecycle of the appliance. */
    public enum State {
        /** Built, nothing started. */
        NEW,
        /** Starting its parts; a failure here stops whatever was started. */
        STARTING,
        /** A primary and a healthy secondary seen through the switch (other nodes may still be copying). */
        RUNNING,
        /** Stopping children, then PostgreSQL, then ZooKeeper. */
        STOPPING,
        /** Everything stopped; the data dir is unlocked. */
        STOPPED
    }

    public static final String SWITCH = ChildLauncher.SWITCH;
    private static final Duration CHILD_STOP_GRACE = Duration.ofSeconds(20);
    private static final Logger LOG = LoggerFactory.getLogger(LocalAppliance.class);

    private volatile ApplianceConfig config;
    private final String childClasspath;
    private final StatusClient statusClient;
    private final Supervisor supervisor = new Supervisor(RestartPolicy.DEFAULT);
    private final Map<String, LocalPostgres> postgres = new LinkedHashMap<>();
    private final Map<String, String> nodeSettings = new LinkedHashMap<>();
    /** Per node id, keys on top of {@link #nodeSettings}, e.g. the address of that node's own application. */
    private final Map<String, Map<String, String>> oneNodeSettings = new LinkedHashMap<>();
    private final ApplianceMembers members = new ApplianceMembers(this);
    private boolean proxiedZooKeeper;
    private LogSettings.Format childLogFormat = LogFormat.inEffect();
    private volatile ZooKeeperProxies zooKeeperProxies;
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
     * @param nodeSettings node configuration keys written into every node's file on top of the
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
     * Starts everything and blocks until the switch reports a primary and a healthy secondary: writes are taken and
     * copied. Further nodes may still be taking their first copy; the banner says which.
     *
     * @throws IllegalStateException with a message for the operator (port taken, data dir in use,
     *         a child died, timeout); whatever had started is stopped again
     */
    public synchronized void start(Duration readyTimeout) {
        long begin = System.nanoTime();
        setState(State.NEW, State.STARTING, "data dir " + config.dataDir() + ", nodes " + config.nodeIds());
        try {
            ensureNotStopping();
            lock = DataDirLock.acquire(config.dataDir());
            refuseLeavingOutRecordedNodes();
            coldStart = !Files.exists(config.postgresDir(config.nodeIds().get(0)).resolve("postgresql.conf"));
            for (String id : config.nodeIds()) {
                postgres.put(id, newPostgres(config, id));
            }
            recoverFromUncleanStop();
            refuseTakenPorts(config.ports());
            ensureNotStopping();
            ensemble = EmbeddedEnsemble.forAppliance(config);
            ensemble.start(Duration.ofSeconds(60));
            ensureNotStopping();
            startPostgres();
            ensureNotStopping();
            if (proxiedZooKeeper) {
                zooKeeperProxies = new ZooKeeperProxies(config, config.nodeIds());
            }
            Map<String, Map<String, String>> overrides = new LinkedHashMap<>();
            config.nodeIds().forEach(id -> overrides.put(id, nodeOverrides(id)));
            ChildLauncher.writeConfigs(config, overrides, childLogFormat);
            ApplianceNodes.write(config.confDir(), config.nodeIds());
            ChildLauncher.warnAboutIgnoredEnvironment();
            supervisor.start(SWITCH, ChildLauncher.switchLaunch(config, childClasspath, runDir()), () -> { });
            config.nodeIds().forEach(this::startNodeProcess);
            SwitchStatus status = awaitReady(readyTimeout, "a primary and a healthy secondary", SwitchStatus::ready);
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

    /** A data dir that records more nodes than asked for would silently lose the others' place in the cluster. */
    private void refuseLeavingOutRecordedNodes() {
        Optional<List<String>> recorded = ApplianceNodes.read(config.confDir());
        if (recorded.isPresent() && !config.nodeIds().containsAll(recorded.get())) {
            throw new IllegalStateException(ApplianceNodes.file(config.confDir()) + " records nodes " + recorded.get()
                    + " but the appliance was asked to run " + config.nodeIds() + "; start it with those nodes, or remove"
                    + " nodes from the running appliance with 'understudy local remove-node ID'");
        }
    }

    LocalPostgres newPostgres(ApplianceConfig on, String id) {
        return new LocalPostgres("postgres-" + id, on.postgresDir(id), on.pgPort(id), on.logDir().resolve("postgres-" + id + ".log"));
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

    void refuseTakenPorts(List<Integer> ports) {
        List<Integer> taken = PortCheck.taken(ports);
        if (!taken.isEmpty()) {
            Map<Integer, String> uses = config.withNodes(ApplianceConfig.allIds()).portUses();
            List<String> named = taken.stream().map(port -> port + " for the " + uses.getOrDefault(port, "appliance")).toList();
            throw new IllegalStateException("already in use on " + ApplianceConfig.HOST + " by another program: port "
                    + String.join(", port ", named) + "; stop that program or choose other ports (see local --help)");
        }
    }

    /** Every server at once: initdb dominates a first start and they do not share anything. */
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

    /** The keys node {@code id}'s file gets on top of the appliance's defaults. */
    Map<String, String> nodeOverrides(String id) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put(LogSettings.FORMAT, childLogFormat.key());
        values.putAll(nodeSettings);
        values.putAll(oneNodeSettings.getOrDefault(id, Map.of()));
        ZooKeeperProxies proxies = zooKeeperProxies;
        if (proxies != null) {
            proxies.add(id);
            values.put("zookeeper.connect", proxies.connectString(id));
        }
        return values;
    }

    /** Starts node {@code id}'s process under supervision; a death ends its ZooKeeper session at once. */
    void startNodeProcess(String id) {
        ApplianceConfig now = config;
        supervisor.start(nodeName(id), ChildLauncher.nodeLaunch(now, childClasspath, runDir(), id),
                () -> ChildLauncher.endSessionOfDeadNode(now, id));
    }

    /**
     * Polls the switch until {@code ready} holds. While starting, a child the supervisor gave up on (a refused
     * configuration) fails the wait at once.
     */
    SwitchStatus awaitReady(Duration timeout, String what, java.util.function.Predicate<SwitchStatus> ready) {
        SwitchStatus[] last = new SwitchStatus[1];
        String[] lastSummary = {""};
        Waiter.await(what + " at " + config.switchUrl() + "/_understudy/status", timeout, Duration.ofMillis(250), () -> {
            ensureNotStopping();
            if (state == State.STARTING) {
                supervisor.gaveUp().forEach((name, why) -> {
                    throw new IllegalStateException(name + " exited while the appliance was starting (" + why + "); see "
                            + config.logDir().resolve(name + ".log"));
                });
            }
            Optional<SwitchStatus> status = statusClient.fetch();
            status.ifPresent(s -> {
                last[0] = s;
                if (!s.summary().equals(lastSummary[0])) {
                    lastSummary[0] = s.summary();
                    LOG.info("waiting for the cluster: {}", s.summary());
                }
            });
            return status.map(ready::test).orElse(false);
        });
        return last[0];
    }

    /**
     * Sets a node config key (e.g. {@code replication.mode=sync}) for every node; only before {@link #start}.
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

    /** The configuration now: its node list changes as nodes are added and removed. */
    public ApplianceConfig config() {
        return config;
    }

    void config(ApplianceConfig next) {
        config = next;
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

    /** The current OS process of node {@code nodeId}, e.g. to {@code kill -9} it in a drill. */
    public Process nodeProcess(String nodeId) {
        return supervisor.process(nodeName(nodeId)).map(ChildProcess::process)
                .orElseThrow(() -> new IllegalStateException("node " + nodeId + " is not running in this appliance"));
    }

    public Process switchProcess() {
        return supervisor.process(SWITCH).map(ChildProcess::process).orElseThrow();
    }

    /** How many times the supervisor started node {@code nodeId} (or {@link #SWITCH}, by that name) again. */
    public int restarts(String nodeIdOrSwitch) {
        return supervisor.restarts(nodeIdOrSwitch.equals(SWITCH) ? SWITCH : nodeName(nodeIdOrSwitch));
    }

    /**
     * Waits until node {@code nodeId}, which died (a drill's {@code kill -9}), runs again (the supervisor starts it
     * after its back-off) and every node serves again, the returning one as a secondary.
     *
     * @throws IllegalStateException if that does not happen within {@code timeout}
     */
    public void awaitNodeBack(String nodeId, Duration timeout) {
        requireRunning("nodes come back");
        Waiter.await("node " + nodeId + " running again", timeout, Duration.ofMillis(100),
                () -> supervisor.process(nodeName(nodeId)).map(ChildProcess::isAlive).orElse(false));
        Collection<String> nodeIds = config.nodeIds();
        awaitReady(timeout, "node " + nodeId + " back and every node serving", s -> s.readyWith(nodeIds));
    }

    /**
     * Kills the switch ({@code kill -9}) and waits until the supervisor has started it again and it answers its
     * status endpoint. Client requests fail while it is down.
     */
    public void restartSwitch(Duration timeout) {
        requireRunning("the switch restarts");
        ChildProcess old = supervisor.process(SWITCH).orElseThrow();
        old.process().destroyForcibly();
        try {
            if (!old.process().waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("switch (pid " + old.pid() + ") survived SIGKILL for 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while restarting the switch", e);
        }
        Waiter.await("the restarted switch at " + config.switchUrl(), timeout, Duration.ofMillis(100),
                () -> supervisor.process(SWITCH).filter(p -> p != old && p.isAlive()).isPresent()
                        && statusClient.fetch().isPresent());
    }

    /**
     * Adds node {@code nodeId} (the first free id when null) to the running appliance: its own PostgreSQL, then the
     * node, which joins as a secondary and takes a fresh copy; returns once the switch shows it streaming.
     */
    public ApplianceMembers.Added addNode(String nodeId, Duration timeout) {
        return members.add(nodeId, timeout);
    }

    /**
     * Removes node {@code nodeId}: stops its process, then asks the switch to decommission it (its slot and
     * publication are dropped on the primary at once; it may not rejoin until added again), then stops its PostgreSQL.
     * Its data stays on disk. Refused for the primary and below two nodes.
     */
    public SwitchAdminClient.Answer removeNode(String nodeId) {
        return members.remove(nodeId);
    }

    synchronized Map<String, LocalPostgres> postgres() {
        return postgres;
    }

    Supervisor supervisor() {
        return supervisor;
    }

    StatusClient statusClient() {
        return statusClient;
    }

    ZooKeeperProxies zooKeeperProxies() {
        return zooKeeperProxies;
    }

    SwitchAdminClient adminClient() {
        return new SwitchAdminClient(config.switchUrl(), AdminToken.loadOrCreate(config));
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

    void requireRunning(String what) {
        if (state != State.RUNNING) {
            throw new IllegalStateException("appliance is " + state + "; " + what + " only while it runs");
        }
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
        supervisor.stopAll(CHILD_STOP_GRACE);
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
    void ensureNotStopping() {
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

    Path runDir() {
        return config.dataDir().resolve("run");
    }

    static String nodeName(String nodeId) {
        return ChildLauncher.nodeName(nodeId);
    }
}
