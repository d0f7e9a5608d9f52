package io.understudy.node;

import io.understudy.cluster.ClusterView;
import io.understudy.cluster.MemberRecord;
import io.understudy.cluster.QueuedCommand;
import io.understudy.cluster.Role;
import io.understudy.node.app.DbFence;
import io.understudy.node.appfiles.AppFiles;
import io.understudy.node.election.ZkCoordinator;
import io.understudy.node.rejoin.QuarantineStore;
import io.understudy.node.rejoin.RejoinMarker;
import io.understudy.node.rejoin.Rejoiner;
import io.understudy.node.role.Eligibility;
import io.understudy.node.role.Fitness;
import io.understudy.node.role.PrimaryMark;
import io.understudy.node.role.RejoinState;
import io.understudy.node.role.RoleMachine;
import io.understudy.node.role.Situation;
import io.understudy.node.role.WriteGate;
import io.understudy.node.role.ZkLink;
import io.understudy.node.store.Database;
import io.understudy.node.store.DbProbe;
import io.understudy.replicator.ReplicationListener;
import io.understudy.replicator.ReplicationStatus;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.state.ConnectionState;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Owns the node's role. Every input (ZooKeeper connection, leadership, cluster view, replication
 * state, a periodic tick) is queued onto one event thread, which takes a {@link Situation},
 * asks {@link RoleMachine} what to do, and carries it out through {@link Transitions}; the node's
 * member record is kept current by {@link MemberPublisher}. Only that thread changes the role;
 * the one exception is the write gate, which a ZooKeeper suspension closes at once, on the
 * Curator thread, before anything is queued.
 */
final class NodeController implements ZkCoordinator.Listener, ReplicationListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeController.class);
    /** Figures in an eligibility reason, masked so moving lag is not logged as news. */
    private static final Pattern FIGURES = Pattern.compile("\\d+");
    private static final long TICK_MS = 1000;

    private final NodeConfig config;
    private final WriteGate gate;
    private final ReplicationManager replication;
    private final DbProbe probe;
    private final FailoverWarning failoverWarning = new FailoverWarning();
    private final RejoinMarker rejoinMarker;
    private final MemberPublisher members;
    private final Transitions transitions;
    private final Optional<AppFiles> files;
    private final ScheduledExecutorService events;
    private final ScheduledExecutorService lease;
    private final DbFence fence;
    private ZkCoordinator zk;

    /** Where the node stands, shared with {@link Transitions} and {@link MemberPublisher}. */
    private final ControllerState state = new ControllerState();
    // Event-thread state of the controller alone.
    private boolean viewLoaded;
    private boolean leader;
    private volatile boolean stopping;
    /** The highest position the recorded primary published, kept after its member record vanished. */
    private PrimaryMark primaryMark = PrimaryMark.NONE;
    /** Told, once, when the cluster removed this node; it has stopped serving by then. */
    private volatile Runnable onRemoved = () -> { };

    NodeController(NodeConfig config, Database db, WriteGate gate, String version, Optional<AppFiles> files) {
        this.config = config;
        this.gate = gate;
        this.files = files;
        this.replication = new ReplicationManager(config, db, this);
        this.probe = new DbProbe(config.dbUrl(), config.dbUser(), config.dbPassword(),
                Math.max(100, Math.min(500, config.dbFailTimeoutMs() / 4)), config.nodeId());
        replication.metrics().bindEligibility(config.nodeId(), () -> state.eligibility.eligible());
        this.rejoinMarker = new RejoinMarker(db.dataSource());
        Rejoiner rejoiner = new Rejoiner(config.nodeId(), db, quarantine(config), replication.app()::replicatedTables);
        this.members = new MemberPublisher(config, db, gate, replication, probe, version, state);
        this.fence = new DbFence(config.app().dbUser(), db.dataSource());
        this.transitions = new Transitions(config, db, gate, replication, rejoinMarker, rejoiner, members, state, fence, files);
        this.events = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "node-events"));
        this.lease = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "zk-lease"));
        events.execute(() -> MDC.put("node", config.nodeId()));
    }

    /** Where a diverged old primary keeps what the new primary lacks. */
    static QuarantineStore quarantine(NodeConfig config) {
        return new QuarantineStore(config.dataDir().resolve("quarantine"));
    }

    void start(ZkCoordinator coordinator, long connectWaitMs) throws Exception {
        replication.app().checkAtStart();
        long unresolved = rejoinMarker.unresolvedEpoch();
        if (unresolved > 0) {
            log.info("this database took writes as primary of epoch {}: it checks for divergence before following anyone",
                    unresolved);
            state.rejoin = new RejoinState(unresolved, null);
        }
        try {
            fence.fence("starting: not primary until elected");
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("app.dbUser: cannot fence the application's role '" + config.app().dbUser()
                    + "' (the node's db.user must be allowed to alter it and end its sessions): " + e.getMessage(), e);
        }
        replication.boundRetainedWal();
        this.zk = coordinator;
        replication.publishStandbysWith(coordinator.records()::writeSyncStandbys);
        members.attach(coordinator);
        transitions.attach(coordinator);
        probe.start();
        zk.start(memberRecord(), connectWaitMs);
        gate.setLeaseMillis(WriteGate.leaseFor(zk.negotiatedSessionTimeoutMs()));
        long renewMs = WriteGate.renewIntervalFor(zk.negotiatedSessionTimeoutMs());
        lease.scheduleWithFixedDelay(this::renewLease, 0, renewMs, TimeUnit.MILLISECONDS);
        events.scheduleWithFixedDelay(() -> safely("tick", this::tick), TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
    }

    /** What to do once this node sees itself removed from the cluster (the node process exits). */
    void onRemoved(Runnable action) {
        this.onRemoved = action;
    }

    Role role() {
        return state.role;
    }

    long epoch() {
        return state.epoch();
    }

    ClusterView view() {
        return state.view;
    }

    /** This node's member record as it would publish it now. Any thread. */
    MemberRecord memberRecord() {
        return members.memberRecord();
    }

    /** Able to serve its role (see {@link MemberPublisher#healthy()}). Any thread. */
    boolean healthy() {
        return members.healthy();
    }

    ReplicationManager replication() {
        return replication;
    }

    /** Adds an observer of role changes (called on the event thread, must not block); before {@link #start}. */
    void observeRoles(io.understudy.node.supervise.RoleChange.Observer observer) {
        transitions.observe(observer);
    }

    // ---- inputs (any thread) ----

    @Override
    public void onConnectionStateChanged(ConnectionState connection) {
        if (!connection.isConnected()) {
            gate.close("ZooKeeper connection " + connection);
        }
        log.info("ZooKeeper connection {}", connection);
        ZkLink next = switch (connection) {
            case CONNECTED, RECONNECTED -> ZkLink.CONNECTED;
            case LOST -> ZkLink.LOST;
            default -> ZkLink.SUSPENDED;
        };
        enqueue("connection " + connection, () -> state.link = next);
    }

    @Override
    public void onLeadershipChanged(boolean isLeader) {
        enqueue(isLeader ? "won election" : "lost election", () -> leader = isLeader);
    }

    @Override
    public void onClusterView(ClusterView next) {
        enqueue("cluster view", () -> {
            state.view = next;
            viewLoaded = true;
            primaryMark = primaryMark.next(next);
            if (state.unseenOwnRecord != null && next.epoch() >= state.unseenOwnRecord.epoch()) {
                state.unseenOwnRecord = null;
            }
            if (!state.completedCommands.isEmpty()) {
                state.completedCommands.retainAll(next.commands().stream().map(QueuedCommand::znode).toList());
            }
            replication.handOverPending(RoleMachine.handsOverTo(next, config.nodeId()));
        });
    }

    @Override
    public void onApplied(long commitPosition, long lagMs) {
        // Figures are read from the replicator's status on the next tick; nothing to decide here.
        files.ifPresent(AppFiles::onApplied);
    }

    @Override
    public void onStateChanged(ReplicationStatus status) {
        enqueue("replication " + status.state(), () -> { });
    }

    // ---- event thread ----

    private void enqueue(String what, Runnable update) {
        try {
            events.execute(() -> safely(what, () -> {
                update.run();
                evaluate();
            }));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("ignoring {} after shutdown", what);
        }
    }

    private void safely(String what, ThrowingRunnable work) {
        try {
            work.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception | AssertionError e) {
            log.error("{} failed; will re-evaluate on the next event", what, e);
        }
    }

    private Situation situation() {
        // Read our own write: until the watch delivers the /primary record we wrote, decide as if it had.
        ClusterView view = state.view;
        ClusterView seen = (state.unseenOwnRecord == null ? view : view.withPrimary(state.unseenOwnRecord))
                .withoutCommands(state.completedCommands);
        return new Situation(config.nodeId(), state.role, state.heldEpoch, state.link, gate.epoch() != 0, leader, seen,
                replication.stream(), fitness(seen), state.rejoin);
    }

    private Fitness fitness(ClusterView seen) {
        long primaryPosition = seen.primary().map(primaryMark::positionOf).orElse(-1L);
        return new Fitness(config.tags(), probe.health(config.dbFailTimeoutMs()), primaryPosition, replication.heldPosition());
    }

    private void evaluate() throws Exception {
        if (stopping) {
            return; // a queued event must not reopen the gate that close() has just shut
        }
        if (!viewLoaded) {
            return; // deciding on an unloaded view would mistake a running cluster for an empty one
        }
        if (state.view.removed(config.nodeId())) {
            leaveAsRemoved();
            return;
        }
        syncElection(RoleMachine.eligibility(situation()));
        // Decide on a fresh snapshot: leaving the election above may have changed the leadership.
        var decision = RoleMachine.decide(situation());
        if (decision.isPresent()) {
            transitions.carryOut(decision.get());
            syncElection(RoleMachine.eligibility(situation())); // e.g. a primary demoted for its database leaves at once
        }
        members.publishMemberIfChanged();
    }

    private void syncElection(Eligibility now) throws Exception {
        if (!story(now).equals(story(state.eligibility))) {
            log.info("eligibility: {} ({})", now.eligible() ? "eligible" : "not eligible", now.reason());
        }
        state.eligibility = now;
        if (now.eligible() && !zk.inElection()) {
            zk.joinElection();
        } else if (!now.eligible() && zk.inElection() && state.link == ZkLink.CONNECTED) {
            zk.leaveElection();
            leader = false;
        }
    }

    private void tick() throws Exception {
        // Without its database the housekeeping would only wait for the pool's timeout on this thread (and
        // delay a step-down), so look again before each part of it.
        MemberRecord record = memberRecord(); // reads the WAL position only while the database answers
        if (members.dbAnswers()) {
            replication.tick(state.role, epoch(), state.view, record.position(), gate.admit() instanceof WriteGate.Verdict.Open);
        }
        members.publish(record);
        if (members.dbAnswers()) {
            fence.reconcile(state.role == Role.PRIMARY);
        }
        evaluate();
        if (viewLoaded) {
            failoverWarning.check(state.view, System.nanoTime());
        }
    }

    /**
     * The cluster removed this node (docs/membership.md): it stops writing and streaming at once, leaves the election,
     * and tells its owner, which ends the process. It does not rejoin until an operator readmits it.
     */
    private void leaveAsRemoved() throws Exception {
        stopping = true;
        gate.close("removed from the cluster");
        zk.leaveElection();
        replication.close();
        String reason = state.view.roster().stream().filter(e -> e.nodeId().equals(config.nodeId())).findFirst()
                .map(io.understudy.cluster.RosterEntry::reason).orElse("");
        log.warn("{} -> REMOVED ({}); stopped streaming and serving; it does not rejoin until readmitted", state.role, reason);
        Thread owner = new Thread(onRemoved, "node-removed");
        owner.setDaemon(true);
        owner.start();
    }

    /** An eligibility's gist for the log: its verdict and reason with figures masked, so moving lag is not news. */
    private static String story(Eligibility e) {
        return e.eligible() + FIGURES.matcher(e.reason()).replaceAll("#");
    }

    private void renewLease() {
        try {
            gate.renewLease(zk.confirmContact());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.debug("lease round trip failed: {}", e.toString());
        }
    }

    @Override
    public void close() throws Exception {
        stopping = true;
        gate.close("node shutting down");
        lease.shutdownNow();
        events.shutdown();
        if (!events.awaitTermination(10, TimeUnit.SECONDS)) {
            events.shutdownNow();
        }
        replication.close();
        probe.close();
        if (zk != null) {
            zk.close();
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }
}
