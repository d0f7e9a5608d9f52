package io.understudy.node;

import static io.understudy.node.role.StreamState.sourceIdOf;

import io.understudy.cluster.ClusterView;
import io.understudy.cluster.HistoryRecord;
import io.understudy.cluster.MemberRecord;
import io.understudy.cluster.MemberRecord.Candidacy;
import io.understudy.cluster.PrimaryRecord;
import io.understudy.cluster.Role;
import io.understudy.node.election.ClaimLostException;
import io.understudy.node.election.ZkCoordinator;
import io.understudy.node.rejoin.QuarantineStore;
import io.understudy.node.rejoin.RejoinMarker;
import io.understudy.node.rejoin.Rejoiner;
import io.understudy.node.role.Action;
import io.understudy.node.role.Decision;
import io.understudy.node.role.Eligibility;
import io.understudy.node.role.Fitness;
import io.understudy.node.role.PrimaryMark;
import io.understudy.node.role.RejoinState;
import io.understudy.node.role.RoleMachine;
import io.understudy.node.role.Situation;
import io.understudy.node.role.StreamState;
import io.understudy.node.role.WriteGate;
import io.understudy.node.role.ZkLink;
import io.understudy.node.store.Database;
import io.understudy.node.store.DbProbe;
import io.understudy.replicator.ReplicationListener;
import io.understudy.replicator.ReplicationStatus;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.state.ConnectionState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Owns the node's role. Every input (ZooKeeper connection, leadership, cluster view, replication
 * state, a periodic tick) is queued onto one event thread, which takes a {@link Situation},
 * asks {@link RoleMachine} what to do, and carries it out. Only that thread changes the role;
 * the one exception is the write gate, which a ZooKeeper suspension closes at once, on the
 * Curator thread, before anything is queued.
 */
final class NodeController implements ZkCoordinator.Listener, ReplicationListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeController.class);
    private static final long TICK_MS = 1000;

    private final NodeConfig config;
    private final Database db;
    private final WriteGate gate;
    private final ReplicationManager replication;
    private final DbProbe probe;
    private final FailoverWarning failoverWarning = new FailoverWarning();
    private final RejoinMarker rejoinMarker;
    private final Rejoiner rejoiner;
    private final String version;
    private final ScheduledExecutorService events;
    private final ScheduledExecutorService lease;
    private ZkCoordinator zk;

    // Event-thread state; volatile only so that status reads from HTTP threads see fresh values.
    private volatile Role role = Role.STARTING;
    private volatile long heldEpoch;
    private volatile ClusterView view = ClusterView.EMPTY;
    /** The record this node wrote when it promoted, until its own view has shown it once. */
    private PrimaryRecord unseenOwnRecord;
    private ZkLink link = ZkLink.SUSPENDED;
    private long gateSessionId;
    private boolean viewLoaded;
    private boolean leader;
    private volatile boolean stopping;
    /** What the last published member record said that others decide on (role, epoch, health). */
    private String publishedGist = "";
    private volatile Eligibility eligibility = new Eligibility(false, "starting");
    /** The highest position the recorded primary published, kept after its member record vanished. */
    private PrimaryMark primaryMark = PrimaryMark.NONE;
    private RejoinState rejoin = RejoinState.NONE;

    NodeController(NodeConfig config, Database db, WriteGate gate, String version) {
        this.config = config;
        this.db = db;
        this.gate = gate;
        this.version = version;
        this.replication = new ReplicationManager(config, db, this);
        this.probe = new DbProbe(config.dbUrl(), config.dbUser(), config.dbPassword(),
                Math.max(100, Math.min(500, config.dbFailTimeoutMs() / 4)), config.nodeId());
        replication.metrics().bindEligibility(config.nodeId(), () -> eligibility.eligible());
        this.rejoinMarker = new RejoinMarker(db.dataSource());
        this.rejoiner = new Rejoiner(config.nodeId(), db, quarantine(config), ReplicationManager.REPLICATED_TABLES);
        this.events = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "node-events"));
        this.lease = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "zk-lease"));
        events.execute(() -> MDC.put("node", config.nodeId()));
    }

    /** Where a diverged old primary keeps what the new primary lacks. */
    static QuarantineStore quarantine(NodeConfig config) {
        return new QuarantineStore(config.dataDir().resolve("quarantine"));
    }

    void start(ZkCoordinator coordinator, long connectWaitMs) throws Exception {
        long unresolved = rejoinMarker.unresolvedEpoch();
        if (unresolved > 0) {
            log.info("this database took writes as primary of epoch {}: it checks for divergence before following anyone",
                    unresolved);
            rejoin = new RejoinState(unresolved, null);
        }
        this.zk = coordinator;
        probe.start();
        zk.start(memberRecord(), connectWaitMs);
        gate.setLeaseMillis(WriteGate.leaseFor(zk.negotiatedSessionTimeoutMs()));
        long renewMs = WriteGate.renewIntervalFor(zk.negotiatedSessionTimeoutMs());
        lease.scheduleWithFixedDelay(this::renewLease, 0, renewMs, TimeUnit.MILLISECONDS);
        events.scheduleWithFixedDelay(() -> safely("tick", this::tick), TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
    }

    Role role() {
        return role;
    }

    long epoch() {
        return role == Role.PRIMARY || role == Role.DEMOTED ? heldEpoch : view.epoch();
    }

    ClusterView view() {
        return view;
    }

    ReplicationManager replication() {
        return replication;
    }

    // ---- inputs (any thread) ----

    @Override
    public void onConnectionStateChanged(ConnectionState state) {
        if (!state.isConnected()) {
            gate.close("ZooKeeper connection " + state);
        }
        log.info("ZooKeeper connection {}", state);
        ZkLink next = switch (state) {
            case CONNECTED, RECONNECTED -> ZkLink.CONNECTED;
            case LOST -> ZkLink.LOST;
            default -> ZkLink.SUSPENDED;
        };
        enqueue("connection " + state, () -> link = next);
    }

    @Override
    public void onLeadershipChanged(boolean isLeader) {
        enqueue(isLeader ? "won election" : "lost election", () -> leader = isLeader);
    }

    @Override
    public void onClusterView(ClusterView next) {
        enqueue("cluster view", () -> {
            view = next;
            viewLoaded = true;
            primaryMark = primaryMark.next(next);
            if (unseenOwnRecord != null && next.epoch() >= unseenOwnRecord.epoch()) {
                unseenOwnRecord = null;
            }
        });
    }

    @Override
    public void onApplied(long commitPosition, long lagMs) {
        // Figures are read from the replicator's status on the next tick; nothing to decide here.
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
        ClusterView seen = unseenOwnRecord == null ? view : view.withPrimary(unseenOwnRecord);
        return new Situation(config.nodeId(), role, heldEpoch, link, gate.epoch() != 0, leader, seen, replication.stream(),
                fitness(seen), rejoin);
    }

    private Fitness fitness(ClusterView seen) {
        long primaryPosition = seen.primary().map(primaryMark::positionOf).orElse(-1L);
        return new Fitness(config.tags(), probe.health(config.dbFailTimeoutMs()), primaryPosition, replication.heldPosition());
    }

    /** Whether this node may become primary now, and why (for /health and metrics). Any thread. */
    Eligibility eligibility() {
        return eligibility;
    }

    private void evaluate() throws Exception {
        if (stopping) {
            return; // a queued event must not reopen the gate that close() has just shut
        }
        if (!viewLoaded) {
            return; // deciding on an unloaded view would mistake a running cluster for an empty one
        }
        syncElection(RoleMachine.eligibility(situation()));
        // Decide on a fresh snapshot: leaving the election above may have changed the leadership.
        var decision = RoleMachine.decide(situation());
        if (decision.isPresent()) {
            transition(decision.get());
            syncElection(RoleMachine.eligibility(situation())); // e.g. a primary demoted for its database leaves at once
        }
        publishMemberIfChanged();
    }

    private void syncElection(Eligibility now) throws Exception {
        if (!story(now).equals(story(eligibility))) {
            log.info("eligibility: {} ({})", now.eligible() ? "eligible" : "not eligible", now.reason());
        }
        eligibility = now;
        if (now.eligible() && !zk.inElection()) {
            zk.joinElection();
        } else if (!now.eligible() && zk.inElection() && link == ZkLink.CONNECTED) {
            zk.leaveElection();
            leader = false;
        }
    }

    private void transition(Decision decision) throws Exception {
        Role from = role;
        try {
            for (Action action : decision.actions()) {
                execute(action);
                if (action instanceof Action.Promote) {
                    // The switch routes once our member record says PRIMARY: publish before the
                    // remaining actions (completing a switchover command, a ZooKeeper round trip)
                    // and before the database housekeeping a new primary does.
                    role = decision.next();
                    publishMember();
                    replication.tidyAsSource(); // stale slots went before the promotion, the old primary's rejoin slot stays
                }
            }
        } catch (ClaimLostException e) {
            log.warn("{} -> {} abandoned: {}", from, decision.next(), e.getMessage());
            return;
        }
        role = decision.next();
        MDC.put("epoch", Long.toString(epoch()));
        if (from == role) {
            log.info("stays {} ({})", role, decision.reason());
        } else {
            log.info("{} -> {} ({})", from, role, decision.reason());
        }
        publishMember();
    }

    private void execute(Action action) throws Exception {
        if (action instanceof Action.FollowPrimary follow) {
            follow(follow.primary());
        } else if (action instanceof Action.Promote promote) {
            promote(promote);
        } else if (action instanceof Action.ReopenGate reopen) {
            replication.becomeSource(reopen.epoch());
            gate.open(reopen.epoch(), zk.confirmClaim(reopen.epoch(), gateSessionId));
        } else if (action instanceof Action.Rejoin r) {
            rejoin(r);
        } else if (action instanceof Action.Demote demote) {
            demote(demote.why());
        } else if (action instanceof Action.CompleteCommand complete) {
            completeCommand(complete);
        } else if (action instanceof Action.SetFailoverPaused pause) {
            zk.setFailoverPaused(pause.paused(), pause.reason());
        }
    }

    private void follow(PrimaryRecord primary) throws Exception {
        gate.close("following " + sourceIdOf(primary));
        // Nobody streams from a secondary: slots here belong to streams of an earlier epoch.
        db.dropInactiveSlots(ReplicationManager.SLOT_PREFIX);
        replication.follow(primary);
    }

    private void promote(Action.Promote promote) throws Exception {
        long promotedFrom = replication.drainAndStop(Duration.ofMillis(config.drainTimeoutMs()));
        PrimaryRecord previous = promote.previous();
        if (previous != null && !previous.nodeId().equals(config.nodeId()) && !replication.lastDrainComplete()) {
            // The old primary's database still answers but we have not applied all it committed:
            // promoting now could drop acknowledged writes. Keep streaming and try again.
            replication.follow(previous);
            throw new ClaimLostException("drain did not catch up with " + previous.nodeId() + "@" + previous.epoch()
                    + " within " + config.drainTimeoutMs() + " ms; streaming on and trying again");
        }
        // Nobody streams from a node that is not primary: slots here belong to streams of an earlier epoch.
        db.dropInactiveSlots(ReplicationManager.SLOT_PREFIX);
        if (previous != null && !previous.nodeId().equals(config.nodeId())) {
            // Before /primary names this node (the old primary may look for it as soon as it does), and so before
            // the gate opens: the slot sees every write of the new epoch.
            replication.keepSlotForRejoin(previous.nodeId());
        }
        PrimaryRecord next = new PrimaryRecord(config.nodeId(), config.apiAdvertisedUrl(), config.dbAdvertisedAddress(),
                promote.newEpoch(), System.currentTimeMillis(), previous == null ? null : previous.nodeId(), promotedFrom);
        long sentAt = System.nanoTime();
        zk.casPrimary(previous, next);
        unseenOwnRecord = next;
        gateSessionId = zk.sessionId();
        heldEpoch = promote.newEpoch();
        markServingAsPrimary(heldEpoch);
        replication.serveAsSource(heldEpoch);
        gate.open(heldEpoch, sentAt);
        zk.recordHistory(new HistoryRecord(promote.kind(), config.nodeId(), next.promotedFromNodeId(), heldEpoch,
                System.currentTimeMillis(), promote.historyReason()));
    }

    /** Notes in the database, before it takes a write, that it is primary of {@code epoch} (see {@link RejoinMarker}). */
    private void markServingAsPrimary(long epoch) {
        try {
            rejoinMarker.servingAsPrimary(epoch);
        } catch (java.sql.SQLException e) {
            // The database does not answer, so it takes no writes either; nothing can diverge.
            log.error("cannot note primary epoch {} in the database: {}", epoch, e.getMessage());
        }
        rejoin = new RejoinState(epoch, null);
    }

    private void rejoin(Action.Rejoin r) throws Exception {
        gate.close("rejoining under " + sourceIdOf(r.primary()));
        RejoinState.Verdict verdict = rejoiner.check(r.primary(), r.ownEpoch(),
                ReplicationManager.slotNameOf(r.primary().nodeId()), replication::seedFromRejoinSlot);
        rejoin = new RejoinState(0, verdict);
        try {
            rejoinMarker.resolved(r.ownEpoch());
        } catch (java.sql.SQLException e) {
            log.warn("cannot note in the database that epoch {} is resolved (a restart would check again): {}",
                    r.ownEpoch(), e.getMessage());
        }
        zk.recordHistory(new HistoryRecord(HistoryRecord.Type.REJOIN, config.nodeId(), config.nodeId(), r.primary().epoch(),
                System.currentTimeMillis(), verdict.reason()));
    }

    private void completeCommand(Action.CompleteCommand complete) throws Exception {
        var command = complete.command().command();
        if (zk.completeCommand(complete.command().znode())) {
            String reason = "command " + command.id() + " (" + command.type() + ") from " + command.requestedBy() + ": "
                    + complete.outcome();
            log.info(reason);
            zk.recordHistory(new HistoryRecord(HistoryRecord.Type.COMMAND, config.nodeId(), null, epoch(),
                    System.currentTimeMillis(), reason));
        }
    }

    private void demote(String why) {
        gate.close(why);
        if (link == ZkLink.CONNECTED) {
            zk.recordHistory(new HistoryRecord(HistoryRecord.Type.DEMOTION, config.nodeId(), config.nodeId(), heldEpoch,
                    System.currentTimeMillis(), why));
        }
    }

    private void tick() throws Exception {
        // Without its database the housekeeping would only wait for the pool's timeout on this thread (and
        // delay a step-down), so look again before each part of it.
        if (dbAnswers()) {
            long position = memberRecord().position();
            if (dbAnswers()) {
                replication.tick(role, epoch(), view, position);
            }
        }
        publishMember();
        evaluate();
        if (viewLoaded) {
            failoverWarning.check(view, System.nanoTime());
        }
    }

    private boolean dbAnswers() {
        return probe.health(config.dbFailTimeoutMs()).reachable();
    }

    /** An eligibility's gist for the log: its verdict and reason with figures masked, so moving lag is not news. */
    private static String story(Eligibility e) {
        return e.eligible() + e.reason().replaceAll("\\d+", "#");
    }

    private void publishMember() throws Exception {
        if (zk != null) {
            MemberRecord record = memberRecord();
            publishedGist = gist(record);
            zk.publishMember(record);
        }
    }

    /** Others decide on role, epoch and health (a switchover target must be a healthy secondary): publish at once. */
    private void publishMemberIfChanged() throws Exception {
        if (!gist(memberRecord()).equals(publishedGist)) {
            publishMember();
        }
    }

    private static String gist(MemberRecord r) {
        return r.role() + "@" + r.epoch() + (r.healthy() ? "+" : "-") + (r.candidacy().eligible() ? "E" : "e");
    }

    MemberRecord memberRecord() {
        long position = 0;
        long lagMs = -1;
        if (role == Role.PRIMARY) {
            try {
                position = dbAnswers() ? db.currentWalPosition() : 0;
            } catch (java.sql.SQLException e) {
                log.warn("cannot read WAL position: {}", e.getMessage());
            }
        } else {
            StreamState stream = replication.stream();
            position = stream.appliedPosition();
            lagMs = replication.lagMs();
        }
        Eligibility now = eligibility;
        Candidacy candidacy = new Candidacy(now.eligible(), now.reason(), config.tags().priority(), config.tags().nofailover(),
                role == Role.PRIMARY ? position : replication.heldPosition());
        return new MemberRecord(config.nodeId(), config.apiAdvertisedUrl(), config.dbAdvertisedAddress(), role, epoch(),
                position, lagMs, healthy(), version, System.currentTimeMillis(), replication.info(role), candidacy);
    }

    /** Able to serve its role: its database answers, and it is the primary with an open gate or a secondary streaming a complete copy. */
    boolean healthy() {
        if (!dbAnswers()) {
            return false;
        }
        return switch (role) {
            case PRIMARY -> gate.admit() instanceof WriteGate.Verdict.Open;
            case SECONDARY -> replication.streaming();
            default -> false;
        };
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
