package io.understudy.node;

import static io.understudy.node.role.StreamState.sourceIdOf;

import io.understudy.cluster.HistoryRecord;
import io.understudy.cluster.PrimaryRecord;
import io.understudy.cluster.Role;
import io.understudy.node.app.DbFence;
import io.understudy.node.appfiles.AppFiles;
import io.understudy.node.election.ClaimLostException;
import io.understudy.node.election.ZkCoordinator;
import io.understudy.node.rejoin.RejoinMarker;
import io.understudy.node.rejoin.Rejoiner;
import io.understudy.node.role.Action;
import io.understudy.node.role.Decision;
import io.understudy.node.role.DrainPatience;
import io.understudy.node.role.RejoinState;
import io.understudy.node.role.WriteGate;
import io.understudy.node.role.ZkLink;
import io.understudy.node.store.Database;
import io.understudy.node.supervise.RoleChange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Carries out a {@link Decision} of the {@link io.understudy.node.role.RoleMachine}: runs its actions in order
 * through the adapters (ZooKeeper, replication, write gate, database, the application's database fence) and moves
 * the node to the decided role.
 * The order of operations inside each action is what keeps the node safe; do not reorder. Event thread only.
 */
final class Transitions {

    private static final Logger log = LoggerFactory.getLogger(Transitions.class);
    /** How long a promotion waits for the files directory to match the table (normally it already does). */
    private static final Duration FILES_SETTLE_PATIENCE = Duration.ofSeconds(60);

    private final NodeConfig config;
    private final Database db;
    private final WriteGate gate;
    private final ReplicationManager replication;
    private final RejoinMarker rejoinMarker;
    private final Rejoiner rejoiner;
    private final MemberPublisher members;
    private final ControllerState state;
    private final DbFence fence;
    private final Optional<AppFiles> files;
    private final SourcePreparation sourcePreparation;
    private ZkCoordinator zk;
    /** Told of every role change once it is carried out and published (hooks, the application, duties). */
    private final List<RoleChange.Observer> observers = new CopyOnWriteArrayList<>();
    /** The ZooKeeper session in which this node claimed /primary; a reopened gate must still be in it. */
    private long gateSessionId;
    /** How long the next promotion's drain waits: grows while drains of the same primary run out of time. */
    private DrainPatience drainPatience = DrainPatience.NONE;

    Transitions(NodeConfig config, Database db, WriteGate gate, ReplicationManager replication, RejoinMarker rejoinMarker,
            Rejoiner rejoiner, MemberPublisher members, ControllerState state, DbFence fence, Optional<AppFiles> files) {
        this.config = config;
        this.db = db;
        this.gate = gate;
        this.replication = replication;
        this.rejoinMarker = rejoinMarker;
        this.rejoiner = rejoiner;
        this.members = members;
        this.state = state;
        this.fence = fence;
        this.files = files;
        this.sourcePreparation = new SourcePreparation(db, replication);
    }

    void attach(ZkCoordinator coordinator) {
        this.zk = coordinator;
    }

    void observe(RoleChange.Observer observer) {
        observers.add(observer);
    }

    /**
     * Runs the decision's actions, then takes its role and publishes it; a lost claim abandons it, logged. The
     * observers hear of the role the node ends up in, also when an action after a promotion failed.
     */
    void carryOut(Decision decision) throws Exception {
        Role from = state.role;
        try {
            takeRole(decision);
        } finally {
            if (state.role != from) {
                tell(new RoleChange(from, state.role, state.epoch(), decision.reason()));
            }
        }
    }

    private void takeRole(Decision decision) throws Exception {
        Role from = state.role;
        Laps laps = new Laps();
        // Promotion and demotion history goes to ZooKeeper after the member record: others act on the record
        // (the switch routes by it, a switchover's target promotes on it), nobody waits for the history.
        List<HistoryRecord> history = new ArrayList<>();
        try {
            for (Action action : decision.actions()) {
                execute(action, laps, history);
                if (action instanceof Action.Promote) {
                    // The switch routes once our member record says PRIMARY: publish before the
                    // remaining actions (completing a switchover command, a ZooKeeper round trip)
                    // and before the database housekeeping a new primary does.
                    state.role = decision.next();
                    members.publishMember();
                    laps.lap("member record sent");
                    recordAll(history);
                    replication.boundRetainedWal(); // stale slots went before the promotion, the old primary's rejoin slot stays
                    laps.lap("slot housekeeping");
                }
            }
        } catch (ClaimLostException e) {
            recordAll(history);
            log.warn("{} -> {} abandoned after {}: {}", from, decision.next(), laps, e.getMessage());
            return;
        } catch (Exception e) {
            recordAll(history); // what was done is recorded even when a later action failed
            throw e;
        }
        state.role = decision.next();
        MDC.put("epoch", Long.toString(state.epoch()));
        if (from == state.role) {
            log.info("stays {} ({})", state.role, decision.reason());
        } else {
            log.info("{} -> {} ({})", from, state.role, decision.reason());
        }
        members.publishMember();
        laps.lap("published");
        recordAll(history);
        if (from != state.role && (state.role == Role.PRIMARY || state.role == Role.DEMOTED)) {
            log.info("{} -> {} took {}", from, state.role, laps);
        }
    }

    private void recordAll(List<HistoryRecord> history) {
        history.forEach(zk::recordHistory);
        history.clear();
    }

    private void tell(RoleChange change) {
        for (RoleChange.Observer observer : observers) {
            try {
                observer.roleChanged(change);
            } catch (RuntimeException e) {
                log.error("role change observer failed on {} -> {}", change.from(), change.to(), e);
            }
        }
    }

    private void execute(Action action, Laps laps, List<HistoryRecord> history) throws Exception {
        if (action instanceof Action.FollowPrimary follow) {
            follow(follow.primary());
        } else if (action instanceof Action.Promote promote) {
            history.add(promote(promote, laps));
        } else if (action instanceof Action.ReopenGate reopen) {
            replication.becomeSource(reopen.epoch());
            long leaseStart = zk.confirmClaim(reopen.epoch(), gateSessionId);
            fence.liftOrLog("still primary of epoch " + reopen.epoch());
            gate.open(reopen.epoch(), leaseStart);
        } else if (action instanceof Action.Rejoin r) {
            rejoin(r);
        } else if (action instanceof Action.CatchUp catchUp) {
            // Bounded by the drain's own wait; the gate stays open meanwhile, a lost session still shuts it at once.
            String how = replication.awaitCaughtUp(catchUp.targetNodeId(), config.drainTimeoutMs(),
                    () -> gate.admit() instanceof WriteGate.Verdict.Open);
            log.info("before handing over: {}", how);
            laps.lap("target caught up");
        } else if (action instanceof Action.Demote demote) {
            demote(demote.why(), laps).ifPresent(history::add);
        } else if (action instanceof Action.CompleteCommand complete) {
            completeCommand(complete);
            laps.lap("command completed");
        } else if (action instanceof Action.SetFailoverPaused pause) {
            zk.setFailoverPaused(pause.paused(), pause.reason());
        } else if (action instanceof Action.RemoveMember remove) {
            removeMember(remove);
        }
    }

    private void follow(PrimaryRecord primary) throws Exception {
        gate.close("following " + sourceIdOf(primary));
        fence.fenceOrLog("following " + sourceIdOf(primary));
        // Nobody streams from a secondary: slots here belong to streams of an earlier epoch.
        db.dropInactiveSlots(ReplicationManager.SLOT_PREFIX);
        replication.follow(primary);
        files.ifPresent(f -> f.materialise("following " + sourceIdOf(primary)));
    }

    /** Returns the promotion's history record, for {@code /history} once the member record says PRIMARY. */
    private HistoryRecord promote(Action.Promote promote, Laps laps) throws Exception {
        PrimaryRecord previous = promote.previous();
        String drained = previous == null ? "" : sourceIdOf(previous);
        long drainWaitMs = drainPatience.waitMs(drained, config.drainTimeoutMs());
        if (drainWaitMs != config.drainTimeoutMs()) {
            log.info("drain of {} waits {} ms ({} earlier drains of it ran out of time)", drained, drainWaitMs,
                    drainPatience.failures());
        }
        long promotedFrom = replication.drainAndStop(Duration.ofMillis(drainWaitMs));
        laps.lap("drain and stop");
        boolean fromAnother = previous != null && !previous.nodeId().equals(config.nodeId());
        if (fromAnother && !replication.lastDrainComplete()) {
            // The old primary's database still answers but we have not applied all it committed:
            // promoting now could drop acknowledged writes. Keep streaming and try again, waiting longer:
            // the restarted stream may need more than the configured wait just to start.
            drainPatience = drainPatience.failed(drained);
            replication.follow(previous);
            throw new ClaimLostException("drain did not catch up with " + drained + " within " + drainWaitMs
                    + " ms; streaming on and trying again, next wait " + drainPatience.waitMs(drained, config.drainTimeoutMs())
                    + " ms");
        }
        drainPatience = DrainPatience.NONE;
        if (fromAnother) {
            settleFiles(previous);
        }
        laps.lap("files settled");
        sourcePreparation.prepare(fromAnother ? previous : null, laps);
        PrimaryRecord next = new PrimaryRecord(config.nodeId(), config.apiAdvertisedUrl(), config.dbAdvertisedAddress(),
                promote.newEpoch(), System.currentTimeMillis(), previous == null ? null : previous.nodeId(), promotedFrom,
                config.app().advertisedUrl());
        long sentAt = System.nanoTime();
        // The switch routes here once /primary names this node; its requests for the new epoch wait for the gate.
        gate.opening(promote.newEpoch());
        try {
            zk.casPrimary(previous, next);
            laps.lap("/primary written");
            state.unseenOwnRecord = next;
            gateSessionId = zk.sessionId();
            state.heldEpoch = promote.newEpoch();
            markServingAsPrimary(state.heldEpoch);
            files.ifPresent(f -> f.capture(state.heldEpoch)); // before the gate opens: a flush then finds it capturing
            replication.serveAsSource(state.heldEpoch);
            // Only now that /primary names this node: lifted earlier, a lost claim would leave a secondary's application writing.
            fence.liftOrLog("primary of epoch " + state.heldEpoch);
        } catch (Exception | Error e) {
            gate.close("promotion to epoch " + promote.newEpoch() + " failed: " + e);
            throw e;
        }
        gate.open(state.heldEpoch, sentAt);
        laps.lap("gate opened");
        return new HistoryRecord(promote.kind(), config.nodeId(), next.promotedFromNodeId(), state.heldEpoch,
                System.currentTimeMillis(), promote.historyReason());
    }

    /**
     * A node promoted from another's stream first makes its files directory match the replicated table (the table is
     * the truth; after a bootstrap or a restart as the last primary the directory is). One that cannot does not
     * promote: capturing a directory out of order would replicate its differences as the application's changes.
     */
    private void settleFiles(PrimaryRecord previous) throws Exception {
        if (files.isEmpty()) {
            return;
        }
        try {
            files.get().settle(FILES_SETTLE_PATIENCE);
        } catch (java.io.IOException e) {
            replication.follow(previous);
            files.get().materialise("promotion abandoned");
            throw new ClaimLostException(e.getMessage() + "; streaming on and trying again");
        }
    }

    /** Notes in the database, before it takes a write, that it is primary of {@code epoch} (see {@link RejoinMarker}). */
    private void markServingAsPrimary(long epoch) {
        try {
            rejoinMarker.servingAsPrimary(epoch);
        } catch (java.sql.SQLException e) {
            // The database does not answer, so it takes no writes either; nothing can diverge.
            log.error("cannot note primary epoch {} in the database: {}", epoch, e.getMessage());
        }
        state.rejoin = new RejoinState(epoch, null);
    }

    private void rejoin(Action.Rejoin r) throws Exception {
        gate.close("rejoining under " + sourceIdOf(r.primary()));
        fence.fenceOrLog("rejoining under " + sourceIdOf(r.primary()));
        RejoinState.Verdict verdict = rejoiner.check(r.primary(), r.ownEpoch(),
                ReplicationManager.slotNameOf(r.primary().nodeId()), replication::seedFromRejoinSlot);
        state.rejoin = new RejoinState(0, verdict);
        try {
            rejoinMarker.resolved(r.ownEpoch());
        } catch (java.sql.SQLException e) {
            log.warn("cannot note in the database that epoch {} is resolved (a restart would check again): {}",
                    r.ownEpoch(), e.getMessage());
        }
        zk.recordHistory(new HistoryRecord(HistoryRecord.Type.REJOIN, config.nodeId(), config.nodeId(), r.primary().epoch(),
                System.currentTimeMillis(), verdict.reason()));
    }

    /** Removes the command and records its outcome; false when an earlier run (or another node) did so already. */
    private boolean completeCommand(Action.CompleteCommand complete) throws Exception {
        var command = complete.command().command();
        boolean removed = zk.completeCommand(complete.command().znode());
        state.completedCommands.add(complete.command().znode()); // gone either way; the view may show it a while longer
        if (!removed) {
            return false;
        }
        String reason = "command " + command.id() + " (" + command.type() + ") from " + command.requestedBy() + ": "
                + complete.outcome();
        log.info(reason);
        zk.recordHistory(new HistoryRecord(HistoryRecord.Type.COMMAND, config.nodeId(), null, state.epoch(),
                System.currentTimeMillis(), reason));
        return true;
    }

    /**
     * In this order: out of {@code /sync} (no acknowledged write depends on it afterwards), marked removed in
     * {@code /roster} (it stops if it still runs, and may not rejoin), its slot and publication dropped.
     */
    private void removeMember(Action.RemoveMember remove) throws Exception {
        String target = remove.nodeId();
        var command = remove.command().command();
        if (!replication.withdrawSyncStandby(target)) {
            completeCommand(new Action.CompleteCommand(remove.command(), "refused: " + target + " is the last synchronous"
                    + " standby and may alone hold acknowledged writes"));
            return;
        }
        String reason = "removed by command " + command.id() + " from " + command.requestedBy()
                + (command.reason() == null || command.reason().isBlank() ? "" : ": " + command.reason());
        zk.records().markRemoved(target, reason);
        String dropped = replication.dropSlotOf(target);
        // A view that still shows the command may run this again: only the run that completes it records the removal.
        if (completeCommand(new Action.CompleteCommand(remove.command(), "done: " + target + " removed, " + dropped))) {
            zk.recordHistory(new HistoryRecord(HistoryRecord.Type.MEMBER_REMOVED, target, null, state.epoch(),
                    System.currentTimeMillis(), target + " " + reason + "; " + dropped + " on " + config.nodeId()));
        }
    }

    /** Returns the demotion's history record when ZooKeeper can take it, for {@code /history} after the member record. */
    private Optional<HistoryRecord> demote(String why, Laps laps) {
        gate.close(why);
        laps.lap("gate closed");
        fence.fenceOrLog(why);
        laps.lap("application fenced");
        files.ifPresent(f -> f.idle("demoted: " + why));
        if (state.link != ZkLink.CONNECTED) {
            return Optional.empty();
        }
        return Optional.of(new HistoryRecord(HistoryRecord.Type.DEMOTION, config.nodeId(), config.nodeId(), state.heldEpoch,
                System.currentTimeMillis(), why));
    }
}
