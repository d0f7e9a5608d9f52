package io.understudy.node;

import static io.understudy.node.role.StreamState.sourceIdOf;

import io.understudy.cluster.ClusterView;
import io.understudy.cluster.MemberRecord;
import io.understudy.cluster.PrimaryRecord;
import io.understudy.cluster.ReplicationInfo;
import io.understudy.cluster.Role;
import io.understudy.cluster.RosterEntry;
import io.understudy.node.api.SyncHooks;
import io.understudy.node.replication.AppDatabase;
import io.understudy.node.replication.AppliedReporter;
import io.understudy.node.replication.Alarms;
import io.understudy.node.replication.NodeMetrics;
import io.understudy.node.replication.ReplicationSettings;
import io.understudy.node.replication.SlotKeeper;
import io.understudy.node.replication.SyncReplication;
import io.understudy.node.role.StreamState;
import io.understudy.node.store.Database;
import io.understudy.replicator.ReplicationListener;
import io.understudy.replicator.ReplicationStatus;
import io.understudy.replicator.Replicator;
import io.understudy.replicator.ReplicatorConfig;
import io.understudy.replicator.State;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replication side of a node. As a secondary: its one stream from the current primary's database into its own,
 * and the reporter that tells the primary how far it has applied. As a primary: sync-mode waits, its secondaries'
 * slots and publications, and alarms. Called only from the node's event thread, except the status methods and the
 * {@link SyncHooks}, which are thread-safe.
 */
final class ReplicationManager implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReplicationManager.class);

    /** Prefix of every slot and publication Understudy creates. */
    static final String SLOT_PREFIX = "understudy_";

    /**
     * The tables replicated whatever {@code replication.include} says: the node's built-in tables and Understudy's own
     * replicated tables in schema {@code understudy}. A new always-replicated table is added here.
     */
    static final List<String> REPLICATED_TABLES =
            List.of("public.objects", "public.files", "public.file_chunks", "public.idempotency_keys",
                    "understudy.ddl_log", "understudy.sequence_marks",
                    // the application's files directory (app.filesDir), see AppFiles
                    "understudy.app_files", "understudy.app_file_chunks");

    /** How long a new stream or a shutdown waits for a drained stream's engine to stop. */
    private static final Duration DRAINED_PATIENCE = Duration.ofSeconds(15);

    private final NodeConfig config;
    private final Database db;
    private final ReplicationListener listener;
    private final ReplicationSettings settings;
    private final NodeMetrics metrics = new NodeMetrics();
    private final SyncReplication sync;
    private final SlotKeeper slots;
    private final AppDatabase app;
    private volatile Replicator current;
    private volatile boolean lastDrainComplete;
    private volatile String currentSourceId;
    private volatile AppliedReporter reporter;
    /** A pending switchover names this node as its target (see {@link #handOverPending}). */
    private volatile boolean handOverPending;
    private volatile List<String> alarms = List.of();
    private volatile long slotRetainedBytes = -1;
    /** Completes when the engine of the last drained stream has stopped (it stops in the background). */
    private volatile CompletableFuture<Void> drainedStop = CompletableFuture.completedFuture(null);

    ReplicationManager(NodeConfig config, Database db, ReplicationListener listener) {
        this.config = config;
        this.db = db;
        this.listener = listener;
        this.settings = config.replication();
        this.sync = new SyncReplication(settings, db, metrics::scrape);
        this.slots = new SlotKeeper(db.dataSource(), SLOT_PREFIX, settings);
        this.app = new AppDatabase(db.dataSource(), config.scope(), REPLICATED_TABLES);
    }

    /** The application's tables in this node's database: scope, capture, sequences. */
    AppDatabase app() {
        return app;
    }

    /** The slot and publication name of a secondary on its primary (same rule as {@link NodeConfig#replicationName()}). */
    static String slotNameOf(String nodeId) {
        return SLOT_PREFIX + nodeId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    }

    /** Sync-mode hooks, the applied-position endpoint and metrics, for the HTTP layer. */
    SyncHooks hooks() {
        return sync;
    }

    /** Where sync mode publishes the synchronous standbys ({@code /sync}). */
    void publishStandbysWith(SyncReplication.StandbysWriter writer) {
        sync.attach(writer);
    }

    /**
     * As the primary, for the removal of {@code nodeId}: takes it out of the synchronous standbys, {@code /sync}
     * rewritten before writes stop waiting for it. Blocks.
     *
     * @return false when it must stay (the last standby, fallback {@code refuse})
     */
    boolean withdrawSyncStandby(String nodeId) throws Exception {
        return sync.withdraw(nodeId);
    }

    /** As the primary, for the removal of {@code nodeId}: drops its slot and publication now; returns what was dropped. */
    String dropSlotOf(String nodeId) throws java.sql.SQLException {
        return slots.dropNow(slotNameOf(nodeId));
    }

    /** Starts streaming from {@code primary}, replacing any stream from an earlier primary. */
    void follow(PrimaryRecord primary) {
        if (primary.nodeId().equals(config.nodeId())) {
            // A fresh sync empties the target first: following ourselves would erase our own data.
            throw new IllegalStateException("node " + config.nodeId() + " cannot replicate from itself");
        }
        close(); // waits for a drained engine too: a new stream from the same source uses the same slot
        sync.serve(null);
        ReplicatorConfig rc = streamFrom(primary);
        AppliedReporter pusher = new AppliedReporter(config.nodeId(), rc.sourceId(), primary.apiUrl(), eagerReports(),
                config.security().apiToken());
        Replicator replicator = new Replicator(rc, db.dataSource(), new Fanout(listener, pusher, metrics));
        currentSourceId = rc.sourceId();
        current = replicator;
        reporter = pusher;
        pusher.start();
        replicator.start();
    }

    /**
     * Whether a pending switchover names this node as its target. While one does, the reporter sends every applied
     * position at once, as in sync mode: the primary waits for this node to report its WAL position before it shuts
     * its write gate, and with reports only every half second that wait took 330-470 ms in async mode. Event thread.
     */
    void handOverPending(boolean pending) {
        boolean changed = pending != handOverPending;
        handOverPending = pending;
        AppliedReporter pusher = reporter;
        if (pusher == null) {
            return; // not streaming (a primary, or between streams): follow() gives the next reporter the flag
        }
        pusher.eager(eagerReports());
        if (changed && settings.mode() == ReplicationSettings.SyncMode.ASYNC) {
            log.info("applied positions reported {} ({})", pending ? "at once" : "every " + AppliedReporter.HEARTBEAT_MS + " ms",
                    pending ? "a hand-over to this node is pending" : "no hand-over to this node is pending");
        }
    }

    private boolean eagerReports() {
        return settings.mode() == ReplicationSettings.SyncMode.SYNC || handOverPending;
    }

    private ReplicatorConfig streamFrom(PrimaryRecord primary) {
        Address source = Address.parse(primary.dbAddress());
        return new ReplicatorConfig(config.replicationName(), sourceIdOf(primary), source.host(),
                source.port(), source.database(), config.replicationUser(), config.replicationPassword(),
                app.scope(), config.dataDir().resolve("replication"), config.replicationPollIntervalMs(),
                config.replicationHeartbeatIntervalMs());
    }

    /**
     * For an old primary that did not diverge: makes the next {@link #follow} of {@code primary} resume from the slot
     * that primary kept for this node when it promoted, instead of taking a fresh copy.
     *
     * @return the position the stream will resume after, or empty when {@code primary} keeps no such slot
     */
    Optional<Long> seedFromRejoinSlot(PrimaryRecord primary) throws java.sql.SQLException {
        return Replicator.seedFromSlot(streamFrom(primary), db.dataSource());
    }

    /**
     * On promotion, before /primary names this node: see {@link SlotKeeper#dropPublicationsWithoutSlot}; the one of
     * {@code oldPrimary} (null for none) stays, as {@link #keepSlotForRejoin} sets its tables anew.
     */
    void dropPublicationsWithoutSlot(String oldPrimary) {
        slots.dropPublicationsWithoutSlot(oldPrimary == null ? null : slotNameOf(oldPrimary));
    }

    /** As a new primary, before the write gate opens: a slot from which {@code oldPrimary} can stream on if it rejoins. */
    void keepSlotForRejoin(String oldPrimary) {
        slots.keepForRejoin(slotNameOf(oldPrimary), app.scope());
    }

    /** See {@link SyncReplication#awaitCaughtUp}; blocks up to {@code timeoutMs}. */
    String awaitCaughtUp(String nodeId, long timeoutMs, java.util.function.BooleanSupplier stillPrimary) throws Exception {
        return sync.awaitCaughtUp(nodeId, timeoutMs, stillPrimary);
    }

    /** This node now serves as primary of {@code epoch}: bound slot WAL, accept reports. */
    void becomeSource(long epoch) {
        serveAsSource(epoch);
        boundRetainedWal();
    }

    /** Accepts secondaries' reports for {@code epoch}'s stream: before the write gate opens, so sync mode counts right. */
    void serveAsSource(long epoch) {
        sync.serve(config.nodeId() + "@" + epoch);
    }

    /** Bounds slot WAL: at start whatever the role, and as housekeeping after a promotion (see {@link SlotKeeper#boundRetainedWal}). */
    void boundRetainedWal() {
        slots.boundRetainedWal();
    }

    /**
     * Applies what the source had committed (bounded by {@code timeout}) and returns the last applied source position;
     * 0 when there was no stream. Nothing is applied after it returns; the engine of a completed drain stops in the
     * background (see {@link Replicator#drainAndSeal}), so its slot on the source may still be active for a moment.
     */
    long drainAndStop(Duration timeout) throws InterruptedException {
        Replicator replicator = current;
        if (replicator == null) {
            lastDrainComplete = true; // nothing was streaming, so nothing is left to apply
            return 0;
        }
        Replicator.Drain drain;
        try {
            drain = replicator.drainAndSeal(timeout);
        } catch (InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
        lastDrainComplete = drain.complete();
        current = null;
        AppliedReporter pusher = reporter;
        reporter = null;
        if (pusher != null) {
            pusher.close();
        }
        drainedStop = drain.stopped();
        return drain.appliedPosition();
    }

    /** Waits (bounded) until the drained stream's engine has stopped. */
    private void awaitDrainedStop() {
        try {
            drainedStop.get(DRAINED_PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.warn("the drained stream's engine has not stopped after {}; going on", DRAINED_PATIENCE);
        } catch (ExecutionException e) {
            log.warn("the drained stream's engine did not stop cleanly: {}", e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Whether the last {@link #drainAndStop} applied everything the source had committed (or the
     * source no longer answered and the stream went quiet); false when it ran out of time.
     */
    boolean lastDrainComplete() {
        return lastDrainComplete;
    }

    /**
     * Periodic housekeeping on the event thread: slots, alarms and sequence marks on a primary, alarms and metrics
     * everywhere.
     *
     * @param writable whether the write gate is open: only then are sequence marks written (a demoted primary's
     *                 database must take no replicated write)
     */
    void tick(Role role, long epoch, ClusterView view, long position, boolean writable) {
        if (role == Role.PRIMARY && writable) {
            app.markSequences(System.currentTimeMillis());
        }
        Set<String> removed = view.roster().stream().filter(RosterEntry::removed).map(RosterEntry::nodeId)
                .filter(id -> !id.equals(config.nodeId())).collect(Collectors.toSet());
        if (role == Role.PRIMARY) {
            Set<String> present = view.members().stream().map(MemberRecord::nodeId).filter(id -> !id.equals(config.nodeId()))
                    .map(ReplicationManager::slotNameOf).collect(Collectors.toSet());
            sync.removed(removed);
            sync.tick();
            try {
                List<Alarms.SlotView> kept = slots.inspect(present,
                        removed.stream().map(ReplicationManager::slotNameOf).collect(Collectors.toSet()), System.currentTimeMillis());
                slotRetainedBytes = kept.stream().mapToLong(Alarms.SlotView::retainedBytes).max().orElse(0);
                raise(Alarms.ofPrimary(kept, settings.slotAlarmBytes(), sync.degraded(), slots.walBoundSet()));
            } catch (java.sql.SQLException e) {
                log.warn("cannot inspect replication slots: {}", e.getMessage());
            }
        } else {
            if (sync.serving()) {
                sync.serve(null);
            }
            slotRetainedBytes = -1;
            Replicator replicator = current;
            raise(Alarms.ofSecondary(replicator == null ? null : replicator.status().error()));
        }
        Replicator replicator = current;
        metrics.update(role, epoch, role == Role.PRIMARY ? -1 : lagMs(), position, slotRetainedBytes,
                replicator == null ? "NONE" : replicator.status().state().name(), alarms);
    }

    private void raise(List<String> now) {
        for (String alarm : now) {
            if (!alarms.contains(alarm) && alarms.stream().noneMatch(a -> a.startsWith(alarm.substring(0, alarm.indexOf(':'))))) {
                log.warn("alarm raised: {}", alarm);
            }
        }
        for (String alarm : alarms) {
            String name = alarm.substring(0, alarm.indexOf(':'));
            if (now.stream().noneMatch(a -> a.startsWith(name))) {
                log.info("alarm cleared: {}", name);
            }
        }
        alarms = List.copyOf(now);
    }

    /** Replication details for this node's member record. */
    ReplicationInfo info(Role role) {
        String mode = settings.mode().name().toLowerCase(Locale.ROOT);
        if (role == Role.PRIMARY) {
            return new ReplicationInfo("SOURCE", null, 0, 0, 0, 0, slotRetainedBytes, mode, alarms);
        }
        Replicator replicator = current;
        if (replicator == null) {
            return new ReplicationInfo("NONE", null, 0, 0, 0, 0, -1, mode, alarms);
        }
        ReplicationStatus st = replicator.status();
        ReplicationStatus.SnapshotProgress snap = st.snapshot();
        return new ReplicationInfo(st.state().name(), st.error(), snap.tablesDone(), snap.tablesTotal(), snap.rows(),
                snap.rowsPerSecond(), -1, mode, alarms);
    }

    StreamState stream() {
        Replicator replicator = current;
        if (replicator == null) {
            return StreamState.NONE;
        }
        ReplicationStatus st = replicator.status();
        return new StreamState(currentSourceId, st.snapshotComplete(), st.state() == State.FAILED,
                st.appliedPosition());
    }

    /** What this node holds of its stream ({@link Replicator#processedPosition()}, at least the applied position); 0 without one. */
    long heldPosition() {
        Replicator replicator = current;
        if (replicator == null) {
            return 0;
        }
        return Math.max(replicator.status().appliedPosition(), replicator.processedPosition());
    }

    NodeMetrics metrics() {
        return metrics;
    }

    long lagMs() {
        Replicator replicator = current;
        return replicator == null ? -1 : replicator.status().lagMs();
    }

    boolean streaming() {
        Replicator replicator = current;
        return replicator != null && replicator.status().state() == State.STREAMING
                && replicator.status().snapshotComplete();
    }

    @Override
    public void close() {
        Replicator replicator = current;
        current = null;
        AppliedReporter pusher = reporter;
        reporter = null;
        if (replicator != null) {
            replicator.close();
        }
        if (pusher != null) {
            pusher.close();
        }
        awaitDrainedStop();
    }

    /** The node's listener, the reporter and the metrics, fed by one replicator. */
    private record Fanout(ReplicationListener node, AppliedReporter reporter, NodeMetrics metrics) implements ReplicationListener {
        @Override
        public void onApplied(long commitPosition, long lagMs) {
            metrics.applied(lagMs);
            node.onApplied(commitPosition, lagMs);
        }

        @Override
        public void onProcessed(long position) {
            reporter.processed(position);
        }

        @Override
        public void onStateChanged(ReplicationStatus status) {
            reporter.live(status.state() == State.STREAMING);
            node.onStateChanged(status);
        }
    }

    /** {@code host:port/database}, as published in member and primary records. */
    record Address(String host, int port, String database) {
        static Address parse(String text) {
            int colon = text.lastIndexOf(':');
            int slash = text.indexOf('/', colon + 1);
            if (colon <= 0 || slash < 0) {
                throw new IllegalArgumentException("database address must be host:port/database, got '" + text + "'");
            }
            return new Address(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1, slash)),
                    text.substring(slash + 1));
        }
    }
}
