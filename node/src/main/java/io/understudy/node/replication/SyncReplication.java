package io.understudy.node.replication;

import io.understudy.cluster.Lsn;
import io.understudy.cluster.SyncStandbys;
import io.understudy.node.api.SyncHooks;
import io.understudy.node.replication.ReplicationSettings.SyncFallback;
import io.understudy.node.store.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sync mode on the primary. After a write commits, the node reads its WAL position (which is at or past the write's
 * commit record) and waits until every synchronous standby has processed its stream that far; secondaries push their
 * processed position to {@code POST /replication/applied} as they apply. Who the standbys are, and how a secondary
 * joins and leaves them, is {@link SyncSet}; the standbys are published in {@code /sync} through a
 * {@link StandbysWriter}, on one thread ({@code sync-standbys}) that makes every change to the set.
 *
 * <p>Chosen over PostgreSQL's own {@code synchronous_standby_names}: Debezium's walsender always connects as
 * {@code "Debezium Streaming"}, so the setting cannot name a secondary; it confirms a flush only when the engine
 * commits offsets; a cancelled commit wait still commits locally with only a warning; and degrading to async would
 * mean rewriting server configuration on every secondary loss. The wait here is bounded, cancelled by demotion,
 * and the rule is plain code.
 */
public final class SyncReplication implements SyncHooks {

    /** Writes the {@code /sync} record; versioned, refusing to overwrite a newer epoch's record. */
    @FunctionalInterface
    public interface StandbysWriter {
        void write(SyncStandbys record) throws Exception;
    }

    private static final Logger log = LoggerFactory.getLogger(SyncReplication.class);
    /** A secondary reports at least every 500 ms; three missed reports and it is no longer waited for. */
    static final long ATTACHED_FRESH_MS = 1500;
    /** A wait this long without progress writes a marker, so a WAL tail that holds nothing replicated is passed. */
    private static final long NUDGE_AFTER_NANOS = 100_000_000;
    /** How long a timed-out write waits for {@code /sync} to be rewritten without the secondaries it timed out on. */
    private static final long CHANGE_WAIT_MS = 3000;

    private final ReplicationSettings settings;
    private final Database db;
    private final AppliedPositions positions = new AppliedPositions(System::nanoTime);
    private final Supplier<String> metrics;
    private final ExecutorService changes = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "sync-standbys");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicBoolean reviewQueued = new AtomicBoolean();
    private volatile StandbysWriter writer;
    /** Changed on the {@code sync-standbys} thread only. */
    private volatile SyncSet set = SyncSet.EMPTY;
    private volatile String serving;
    private volatile Set<String> removed = Set.of();
    private volatile boolean degraded;
    private volatile long lastNudgeNanos;
    /** The last standbys that had to stay although they lag, so the warning is logged once per such episode. */
    private List<String> keptLast = List.of();

    public SyncReplication(ReplicationSettings settings, Database db, Supplier<String> metrics) {
        this.settings = settings;
        this.db = db;
        this.metrics = metrics;
    }

    /** Where the standbys are published; nothing joins them before this is set. */
    public void attach(StandbysWriter standbysWriter) {
        this.writer = standbysWriter;
    }

    /** This node now serves stream {@code sourceId} ({@code node@epoch}) as primary, or none (null): no standbys yet. */
    public void serve(String sourceId) {
        serving = sourceId;
        positions.serve(sourceId);
        changes.execute(() -> {
            set = SyncSet.EMPTY;
            positions.signal();
        });
        if (sourceId == null) {
            degraded = false;
        }
    }

    public boolean serving() {
        return serving != null;
    }

    /** Nodes removed from the cluster: they never join the standbys, and leave them if they were. */
    public void removed(Set<String> nodes) {
        if (!nodes.equals(removed)) {
            removed = Set.copyOf(nodes);
            queueReview();
        }
    }

    /** The synchronous standbys now. */
    public List<String> standbys() {
        return set.published();
    }

    /** Sync mode is on but writes are acknowledged without a secondary. */
    public boolean degraded() {
        return degraded;
    }

    @Override
    public String refuseBeforeWrite() {
        return switch (before()) {
            case REFUSE -> "replication.mode=sync and no synchronous standby is attached (syncFallback=refuse); nothing was applied";
            case PROCEED, WAIT, DEGRADED -> null;
        };
    }

    @Override
    public String awaitReplicated(BooleanSupplier stillPrimary) throws Exception {
        SyncPolicy.Before before = before();
        if (before == SyncPolicy.Before.DEGRADED) {
            return null;
        }
        if (before != SyncPolicy.Before.WAIT) {
            return before == SyncPolicy.Before.REFUSE ? "no synchronous standby attached any more; the write is committed here only" : null;
        }
        long target = db.currentWalPosition();
        long start = System.nanoTime();
        long deadline = start + settings.syncTimeoutMs() * 1_000_000;
        BooleanSupplier confirmed = () -> set.confirms(target, positions.positions());
        // The wait also ends when the last standby left (fallback async): the write is then acknowledged degraded.
        BooleanSupplier settled = () -> confirmed.getAsBoolean() || set.published().isEmpty();
        boolean done = positions.await(settled, target, Math.min(deadline, start + NUDGE_AFTER_NANOS), stillPrimary);
        if (!done && stillPrimary.getAsBoolean() && System.nanoTime() < deadline) {
            nudge();
            done = positions.await(settled, target, deadline, stillPrimary);
        }
        if (confirmed.getAsBoolean()) {
            return null;
        }
        if (!stillPrimary.getAsBoolean()) {
            return "this node stopped being primary before the synchronous standbys confirmed the write";
        }
        if (!done) {
            List<String> lagging = set.lagging(target, positions.positions());
            try {
                leave(lagging, "did not confirm a write within " + settings.syncTimeoutMs() + " ms")
                        .get(CHANGE_WAIT_MS, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                return "no synchronous standby confirmed the write within " + settings.syncTimeoutMs() + " ms, and /sync"
                        + " could not be rewritten without " + lagging + " (" + e + ")";
            }
            if (confirmed.getAsBoolean()) {
                return null; // the standbys left are the ones that have it
            }
        }
        if (set.published().isEmpty() && SyncPolicy.acknowledgeAfterTimeout(settings.syncFallback())) {
            setDegraded(true, "no secondary confirmed within " + settings.syncTimeoutMs() + " ms");
            return null;
        }
        return "no synchronous standby confirmed the write within " + settings.syncTimeoutMs() + " ms (syncFallback=refuse)";
    }

    /**
     * Before a planned hand-over shuts the write gate: waits, while writes go on, until {@code nodeId} (any secondary
     * when null) has reported processing this node's WAL up to where it was when the wait began. A secondary that
     * reports so keeps up, so the drain after the gate is shut has only the last moments to apply. Blocks up to
     * {@code timeoutMs}; ends early once {@code stillPrimary} says no.
     *
     * @return how the wait ended, for the log
     */
    public String awaitCaughtUp(String nodeId, long timeoutMs, BooleanSupplier stillPrimary) throws Exception {
        long target = db.currentWalPosition();
        long start = System.nanoTime();
        long deadline = start + timeoutMs * 1_000_000;
        BooleanSupplier reached = () -> positions.positions().entrySet().stream()
                .anyMatch(e -> (nodeId == null || e.getKey().equals(nodeId)) && e.getValue() >= target);
        boolean done = positions.await(reached, target, Math.min(deadline, start + NUDGE_AFTER_NANOS), stillPrimary);
        if (!done && stillPrimary.getAsBoolean() && System.nanoTime() < deadline) {
            nudge(); // a WAL tail that holds nothing replicated is passed by the marker
            done = positions.await(reached, target, deadline, stillPrimary);
        }
        String who = nodeId == null ? "a secondary" : nodeId;
        String how = (done ? who + " caught up with " : who + " did not report ") + Lsn.format(target) + " in "
                + (System.nanoTime() - start) / 1_000_000 + " ms";
        if (done) {
            return how;
        }
        return how + (stillPrimary.getAsBoolean() ? " (it reported " + positions.positions() + "); handing over anyway,"
                + " the drain waits for the rest" : " (the write gate shut meanwhile)");
    }

    @Override
    public void applied(String nodeId, String sourceId, long position) {
        if (positions.report(nodeId, sourceId, position) && settings.mode() == ReplicationSettings.SyncMode.SYNC) {
            SyncSet now = set;
            Map<String, Long> reported = Map.of(nodeId, position);
            if (!now.knows(nodeId) || !now.caughtUp(reported).isEmpty() || !now.confirmed(reported).isEmpty()) {
                queueReview();
            }
        }
    }

    /** Periodic, from the node's event thread: standbys that stopped reporting leave. */
    public void tick() {
        if (serving() && settings.mode() == ReplicationSettings.SyncMode.SYNC) {
            queueReview();
        }
    }

    /**
     * Takes {@code node} out of the standbys for its removal from the cluster, {@code /sync} rewritten first. Blocks.
     *
     * @return false when it must stay: it is the last standby and the fallback is {@code refuse}
     */
    public boolean withdraw(String node) throws Exception {
        leave(List.of(node), "removed from the cluster").get(CHANGE_WAIT_MS, TimeUnit.MILLISECONDS);
        return !set.published().contains(node);
    }

    @Override
    public String metrics() {
        return metrics.get();
    }

    private SyncPolicy.Before before() {
        if (settings.mode() == ReplicationSettings.SyncMode.ASYNC) {
            return SyncPolicy.Before.PROCEED; // twice on every write: no look at the standbys needed
        }
        SyncSet now = set;
        Map<String, Long> ages = positions.ages();
        boolean fresh = now.published().stream().anyMatch(n -> ages.getOrDefault(n, Long.MAX_VALUE) <= ATTACHED_FRESH_MS);
        SyncPolicy.Before before = SyncPolicy.before(settings.mode(), settings.syncFallback(), !now.published().isEmpty(), fresh);
        if (before == SyncPolicy.Before.DEGRADED) {
            setDegraded(true, "no synchronous standby");
        }
        return before;
    }

    private void setDegraded(boolean now, String reason) {
        if (degraded != now) {
            degraded = now;
            log.info("sync replication: {} -> {} ({})", now ? "SYNC" : "DEGRADED", now ? "DEGRADED" : "SYNC", reason);
        }
    }

    private void queueReview() {
        if (reviewQueued.compareAndSet(false, true)) {
            changes.execute(() -> {
                reviewQueued.set(false);
                review();
            });
        }
    }

    /** On the {@code sync-standbys} thread: who leaves (silent or removed), who starts catching up, confirming, or is published. */
    private void review() {
        String source = serving;
        if (source == null || writer == null || settings.mode() != ReplicationSettings.SyncMode.SYNC) {
            return;
        }
        try {
            Map<String, Long> ages = positions.ages();
            List<String> silent = ages.entrySet().stream().filter(e -> e.getValue() > ATTACHED_FRESH_MS && set.knows(e.getKey()))
                    .map(Map.Entry::getKey).toList();
            List<String> gone = removed.stream().filter(set::knows).toList();
            if (!silent.isEmpty()) {
                leaveNow(silent, "stopped reporting for more than " + ATTACHED_FRESH_MS + " ms");
            }
            if (!gone.isEmpty()) {
                leaveNow(gone, "removed from the cluster");
            }
            Map<String, Long> reported = positions.positions();
            for (String node : reported.keySet()) {
                if (!set.knows(node) && !removed.contains(node) && ages.getOrDefault(node, Long.MAX_VALUE) <= ATTACHED_FRESH_MS) {
                    set = set.catchUp(node, db.currentWalPosition());
                    log.info("sync: {} streams; it joins the standbys once it caught up ({})", node, set.describe());
                    nudge();
                }
            }
            for (String node : set.caughtUp(reported)) {
                set = set.confirm(node, Long.MAX_VALUE); // waited for from now on; its point is read after that
                positions.signal();
                set = set.confirm(node, db.currentWalPosition());
                log.info("sync: {} caught up; writes wait for it until it is published ({})", node, set.describe());
                nudge();
            }
            List<String> confirmed = set.confirmed(positions.positions());
            if (!confirmed.isEmpty()) {
                List<String> next = set.publishedWith(confirmed);
                publish(source, next, confirmed + " caught up");
                set = set.published(next);
                setDegraded(false, "synchronous standbys " + next);
                positions.signal();
            }
        } catch (Exception e) {
            log.warn("sync: cannot update the synchronous standbys ({}): {}", set.describe(), e.toString());
        }
    }

    private Future<?> leave(Collection<String> nodes, String why) {
        return changes.submit(() -> {
            leaveNow(nodes, why);
            return null;
        });
    }

    private void leaveNow(Collection<String> nodes, String why) throws Exception {
        String source = serving;
        SyncSet now = set;
        List<String> next = now.publishedWithout(nodes, settings.syncFallback() == SyncFallback.ASYNC);
        if (source != null && !next.equals(now.published())) {
            publish(source, next, nodes + " " + why);
        }
        set = now.left(nodes, next);
        positions.signal();
        List<String> kept = nodes.stream().filter(next::contains).sorted().toList();
        if (!kept.isEmpty() && !kept.equals(keptLast)) {
            log.warn("sync: {} {}, but stays a standby: it is the last one and may alone hold acknowledged writes, so"
                    + " writes are refused until it confirms again or another secondary catches up (syncFallback=refuse)",
                    kept, why);
        }
        keptLast = kept;
    }

    /** Writes {@code /sync} before the set changes in memory: nobody stops being waited for before the record says so. */
    private void publish(String source, List<String> next, String why) throws Exception {
        int at = source.lastIndexOf('@');
        writer.write(new SyncStandbys(source.substring(0, at), Long.parseLong(source.substring(at + 1)), next,
                System.currentTimeMillis()));
        log.info("sync: standbys {} -> {} ({})", set.published(), next, why);
    }

    /**
     * Commits an empty logical-decoding message: its commit lies past every earlier WAL record, so a secondary
     * that applies it has processed past the waiting writes even if the WAL after them held nothing replicated.
     * At most one per {@link #NUDGE_AFTER_NANOS}.
     */
    private void nudge() {
        long now = System.nanoTime();
        if (now - lastNudgeNanos < NUDGE_AFTER_NANOS) {
            return;
        }
        lastNudgeNanos = now;
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT pg_logical_emit_message(true, 'understudy.drain', 'sync')")) {
            ps.execute();
        } catch (Exception e) {
            log.debug("sync marker not written: {}", e.toString());
        }
    }
}
