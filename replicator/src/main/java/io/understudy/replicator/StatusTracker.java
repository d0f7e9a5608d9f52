package io.understudy.replicator;

import io.understudy.cluster.Lsn;
import io.understudy.replicator.ReplicationStatus.SnapshotProgress;
import io.understudy.replicator.apply.Change;
import io.understudy.replicator.apply.TableName;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the replicator's {@link ReplicationStatus}: one transition method that logs {@code from -> to (reason)},
 * progress counters, and waiting for progress. Written on the engine thread, read from any thread.
 */
final class StatusTracker {

    private static final Logger LOG = LoggerFactory.getLogger(StatusTracker.class);
    private static final long SNAPSHOT_LOG_EVERY_ROWS = 10_000;

    private final String name;
    private final ReplicationListener listener;
    private final Object monitor = new Object();
    private volatile ReplicationStatus status = ReplicationStatus.initial();
    private long processedPosition;
    private long lastActivityNanos = System.nanoTime();
    private long snapshotRowsLogged;
    private volatile int tablesTotal;
    private final Set<TableName> snapshotTables = new HashSet<>();
    private TableName snapshotTable;
    private long snapshotStartNanos;

    StatusTracker(String name, ReplicationListener listener) {
        this.name = name;
        this.listener = listener;
    }

    /** How many tables the current run's stream carries (known once its scope is resolved on the source). */
    void tablesTotal(int tables) {
        tablesTotal = tables;
    }

    ReplicationStatus status() {
        return status;
    }

    long processedPosition() {
        synchronized (monitor) {
            return processedPosition;
        }
    }

    void resumeFrom(StartPlan plan) {
        ReplicationStatus s = status;
        status = new ReplicationStatus(s.state(), plan.appliedPosition(), plan.sourceCommitTsMs(), s.lagMs(), !plan.fresh(), 0, null,
                plan.fresh() ? new SnapshotProgress(tablesTotal, 0, 0, 0) : SnapshotProgress.NONE);
        progress(plan.appliedPosition());
    }

    /** Moves to {@code next} unless already terminal (a stopped replicator stays stopped). */
    boolean transition(State next, String reason) {
        ReplicationStatus updated;
        synchronized (monitor) {
            ReplicationStatus current = status;
            if (current.state().isTerminal() || current.state() == next) {
                return false;
            }
            updated = current.withState(next, reason);
            status = updated;
            monitor.notifyAll();
            LOG.info("replicator {}: {} -> {} ({})", name, current.state(), next, reason);
        }
        listener.onStateChanged(updated);
        return true;
    }

    void fail(String error) {
        if (!transition(State.FAILED, error)) {
            LOG.warn("replicator {}: error after it stopped: {}", name, error);
        }
    }

    void stopped(State terminal, String reason) {
        transition(terminal, reason);
    }

    void transactionApplied(long position, long commitTsMs) {
        long lag = Math.max(0, System.currentTimeMillis() - commitTsMs);
        ReplicationStatus s = status;
        status = new ReplicationStatus(s.state(), position, commitTsMs, lag, s.snapshotComplete(), s.snapshotRows(), s.error(), s.snapshot());
        listener.onApplied(position, lag);
    }

    /** A chunk of snapshot rows committed; Debezium copies table after table, so a new table means the last is done. */
    void snapshotApplied(List<Change> rows, long position, boolean complete) {
        ReplicationStatus s = status;
        long now = System.nanoTime();
        if (snapshotStartNanos == 0) {
            snapshotStartNanos = now;
        }
        for (Change row : rows) {
            if (!row.table().equals(snapshotTable)) {
                if (snapshotTable != null) {
                    LOG.info("replicator {}: snapshot of {} done ({} of {} tables)", name, snapshotTable, snapshotTables.size(), tablesTotal);
                }
                snapshotTable = row.table();
                snapshotTables.add(row.table());
            }
        }
        long total = s.snapshotRows() + rows.size();
        long elapsedMs = Math.max(1, (now - snapshotStartNanos) / 1_000_000);
        int tablesDone = complete ? tablesTotal : Math.max(0, snapshotTables.size() - 1);
        SnapshotProgress progress = new SnapshotProgress(tablesTotal, tablesDone, total, total * 1000 / elapsedMs);
        status = new ReplicationStatus(s.state(), position, s.lastSourceCommitTsMs(), s.lagMs(), complete, total, s.error(), progress);
        if (total - snapshotRowsLogged >= SNAPSHOT_LOG_EVERY_ROWS) {
            snapshotRowsLogged = total;
            LOG.info("replicator {}: snapshot copied {} rows so far ({} rows/s, {} of {} tables done, now {})", name, total,
                    progress.rowsPerSecond(), tablesDone, tablesTotal, snapshotTable);
        }
        if (complete && !s.snapshotComplete()) {
            transition(State.STREAMING, "snapshot complete: " + total + " rows of " + tablesTotal + " tables copied in " + elapsedMs
                    + " ms (" + progress.rowsPerSecond() + " rows/s), consistent at " + Lsn.format(position));
            listener.onApplied(position, 0); // before completion the position says nothing about the target's content
        }
    }

    /** The stream has been processed up to {@code position} (0: unknown, just activity). */
    void progress(long position) {
        boolean advanced;
        synchronized (monitor) {
            advanced = position > processedPosition;
            processedPosition = Math.max(processedPosition, position);
            lastActivityNanos = System.nanoTime();
            monitor.notifyAll();
        }
        if (advanced && status.snapshotComplete()) {
            listener.onProcessed(position);
        }
    }

    /** Waits until the stream is processed up to {@code position}; false on deadline or a terminal state. */
    boolean awaitProcessed(long position, long deadlineNanos) throws InterruptedException {
        synchronized (monitor) {
            while (processedPosition < position) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0 || status.state().isTerminal()) {
                    return false;
                }
                monitor.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    /** Waits until nothing arrived for {@code quietNanos}; false on deadline or a terminal state. */
    boolean awaitQuiet(long quietNanos, long deadlineNanos) throws InterruptedException {
        synchronized (monitor) {
            while (true) {
                long now = System.nanoTime();
                long quietLeft = lastActivityNanos + quietNanos - now;
                if (quietLeft <= 0) {
                    return status.state() != State.FAILED;
                }
                if (deadlineNanos - now <= 0 || status.state().isTerminal()) {
                    return false;
                }
                monitor.wait(Math.max(1, Math.min(quietLeft, deadlineNanos - now) / 1_000_000));
            }
        }
    }
}
