package io.understudy.node.replication;

import io.understudy.node.api.SyncHooks;
import io.understudy.node.store.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sync mode on the primary. After a write commits, the node reads its WAL position (which is at or past the write's
 * commit record) and waits until a secondary reports having processed its stream that far; secondaries push their
 * processed position to {@code POST /replication/applied} as they apply.
 *
 * <p>Chosen over PostgreSQL's own {@code synchronous_standby_names}: Debezium's walsender always connects as
 * {@code "Debezium Streaming"}, so the setting cannot name a secondary; it confirms a flush only when the engine
 * commits offsets; a cancelled commit wait still commits locally with only a warning; and degrading to async would
 * mean rewriting server configuration on every secondary loss. The wait here is bounded, cancelled by demotion,
 * and the policy ({@link SyncPolicy}) is plain code.
 */
public final class SyncReplication implements SyncHooks {

    private static final Logger log = LoggerFactory.getLogger(SyncReplication.class);
    /** A secondary reports at least every 500 ms; three missed reports detach it. */
    static final long ATTACHED_FRESH_MS = 1500;
    /** A wait this long without progress writes a marker, so a WAL tail that holds nothing replicated is passed. */
    private static final long NUDGE_AFTER_NANOS = 100_000_000;

    private final ReplicationSettings settings;
    private final Database db;
    private final AppliedPositions positions = new AppliedPositions(System::nanoTime);
    private final Supplier<String> metrics;
    private volatile long catchUpTo;
    private volatile boolean degraded;
    private volatile long lastNudgeNanos;

    public SyncReplication(ReplicationSettings settings, Database db, Supplier<String> metrics) {
        this.settings = settings;
        this.db = db;
        this.metrics = metrics;
    }

    /** This node now serves stream {@code sourceId} as primary, or none (null). */
    public void serve(String sourceId) {
        positions.serve(sourceId);
        catchUpTo = 0;
    }

    public boolean attached() {
        return SyncPolicy.attached(positions.sinceLastReportMs(), ATTACHED_FRESH_MS, positions.best(), catchUpTo);
    }

    /** Sync mode is on but writes are acknowledged without a secondary. */
    public boolean degraded() {
        return degraded;
    }

    /** The furthest position a secondary reported. */
    public long bestReported() {
        return positions.best();
    }

    @Override
    public String refuseBeforeWrite() {
        return switch (before()) {
            case REFUSE -> "replication.mode=sync and no secondary is attached (syncFallback=refuse); nothing was applied";
            case PROCEED, WAIT, DEGRADED -> null;
        };
    }

    @Override
    public String awaitReplicated(BooleanSupplier stillPrimary) throws Exception {
        SyncPolicy.Before before = before();
        if (before == SyncPolicy.Before.DEGRADED) {
            // Acknowledged without a secondary: one that comes back counts as attached again only once it has
            // this write too. Re-attached earlier, it would make the next writes wait for the whole backlog it
            // still has to apply, and time out on it.
            catchUpTo = Math.max(catchUpTo, db.currentWalPosition());
            return null;
        }
        if (before != SyncPolicy.Before.WAIT) {
            return before == SyncPolicy.Before.REFUSE ? "no secondary attached any more; the write is committed here only" : null;
        }
        long target = db.currentWalPosition();
        long start = System.nanoTime();
        long deadline = start + settings.syncTimeoutMs() * 1_000_000;
        boolean done = positions.await(target, Math.min(deadline, start + NUDGE_AFTER_NANOS), stillPrimary);
        if (!done && stillPrimary.getAsBoolean() && System.nanoTime() < deadline) {
            nudge();
            done = positions.await(target, deadline, stillPrimary);
        }
        if (done) {
            return null;
        }
        if (!stillPrimary.getAsBoolean()) {
            return "this node stopped being primary before a secondary confirmed the write";
        }
        catchUpTo = Math.max(catchUpTo, target); // detached until it catches up, so others do not wait it out too
        if (SyncPolicy.acknowledgeAfterTimeout(settings.syncFallback())) {
            setDegraded(true, "no secondary confirmed within " + settings.syncTimeoutMs() + " ms");
            return null;
        }
        return "no secondary confirmed the write within " + settings.syncTimeoutMs() + " ms (syncFallback=refuse)";
    }

    @Override
    public void applied(String nodeId, String sourceId, long position) {
        if (positions.report(nodeId, sourceId, position) && degraded && attached()) {
            setDegraded(false, "secondary " + nodeId + " caught up");
        }
    }

    @Override
    public String metrics() {
        return metrics.get();
    }

    private SyncPolicy.Before before() {
        SyncPolicy.Before before = SyncPolicy.before(settings.mode(), settings.syncFallback(), attached());
        if (before == SyncPolicy.Before.DEGRADED) {
            setDegraded(true, "no secondary attached");
        } else if (before == SyncPolicy.Before.WAIT && degraded) {
            setDegraded(false, "a secondary is attached");
        }
        return before;
    }

    private void setDegraded(boolean now, String reason) {
        if (degraded != now) {
            degraded = now;
            log.info("sync replication: {} -> {} ({})", now ? "SYNC" : "DEGRADED", now ? "DEGRADED" : "SYNC", reason);
        }
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
