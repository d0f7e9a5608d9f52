package io.understudy.replicator;

import io.understudy.cluster.Lsn;
import io.understudy.replicator.apply.Change;
import io.understudy.replicator.apply.TargetWriter;
import io.understudy.replicator.capture.BatchHandler;
import io.understudy.replicator.capture.ConnectionLoss;
import io.understudy.replicator.capture.DurableGroups.Commit;
import io.understudy.replicator.capture.TransactionAssembler;
import io.understudy.replicator.capture.TransactionAssembler.Kind;
import io.understudy.replicator.capture.TransactionAssembler.Unit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applies groups of assembled units to the target and reports them to the {@link StatusTracker}. Engine thread only. */
final class UnitApplier implements BatchHandler.UnitSink {

    private static final Logger LOG = LoggerFactory.getLogger(UnitApplier.class);

    private final TargetWriter writer;
    private final String sourceId;
    private final StatusTracker tracker;
    private final ApplySeal seal;
    /** Runs once, when the target's copy of the rows is complete. */
    private Runnable snapshotDone;
    /** The position the target's state row holds; every acknowledged record lies at or before it. */
    private long stored;
    private boolean refusalLogged;

    UnitApplier(TargetWriter writer, String sourceId, StatusTracker tracker, ApplySeal seal, long storedPosition,
                Runnable snapshotDone) {
        this.writer = writer;
        this.sourceId = sourceId;
        this.tracker = tracker;
        this.seal = seal;
        this.stored = storedPosition;
        this.snapshotDone = snapshotDone;
    }

    /** Applies the group unless the stream is sealed: then nothing of it is applied, reported or acknowledged. */
    @Override
    public Commit apply(List<? extends Unit<?>> group, boolean durable) {
        Commit commit = seal.apply(() -> applyGroup(group, durable), Commit.REFUSED);
        if (commit == Commit.REFUSED && !refusalLogged) {
            refusalLogged = true;
            LOG.info("replication from {}: the drain sealed the stream; what arrives after it is neither applied nor"
                    + " acknowledged", sourceId);
        }
        return commit;
    }

    private Commit applyGroup(List<? extends Unit<?>> group, boolean durable) {
        if (group.size() == 1 && group.get(0).kind() == Kind.SNAPSHOT) {
            Unit<?> unit = group.get(0);
            writer.apply(unit.changes(), new AppliedState(sourceId, unit.position(), 0, unit.snapshotComplete()));
            tracker.snapshotApplied(unit.changes(), unit.position(), unit.snapshotComplete());
            if (unit.snapshotComplete() && snapshotDone != null) {
                snapshotDone.run();
                snapshotDone = null;
            }
            return Commit.SYNCED;
        }
        List<List<Change>> transactions = new ArrayList<>();
        Unit<?> last = null;
        for (Unit<?> unit : group) {
            if (unit.kind() == Kind.TRANSACTION) {
                transactions.add(unit.changes());
                last = unit;
            } else if (unit.kind() == Kind.SKIP) {
                LOG.info("skipped redelivered transaction at {} (already applied)", Lsn.format(unit.position()));
            } else if (unit.kind() == Kind.SNAPSHOT) {
                throw new IllegalStateException("a snapshot unit must be applied alone");
            }
        }
        long progress = progressOf(group);
        // The stored position covers heartbeats and markers too: the engine acknowledges them, which moves the slot's
        // confirmed position, and a restart checks that the slot is not past what the target holds.
        Commit commit = Commit.NOTHING_WRITTEN;
        if (last != null) {
            commit = writer.applyTransactions(transactions, new AppliedState(sourceId, Math.max(last.position(), progress),
                    last.commitTsMs(), last.snapshotComplete()), durable);
            stored = Math.max(stored, Math.max(last.position(), progress));
        } else if (progress > stored && tracker.status().snapshotComplete()) {
            commit = writer.recordPosition(new AppliedState(sourceId, progress, tracker.status().lastSourceCommitTsMs(), true), durable);
            stored = progress;
        }
        for (Unit<?> unit : group) {
            if (unit.kind() == Kind.TRANSACTION) {
                tracker.transactionApplied(unit.position(), unit.commitTsMs());
            }
        }
        if (last == null && progress > 0) {
            tracker.caughtUp(progress);
        }
        return commit;
    }

    /** Only a durable position is reported as processed: sync mode and the slot count on it surviving a crash. */
    @Override
    public void durable(List<? extends Unit<?>> group) {
        if (group.size() == 1 && group.get(0).kind() == Kind.SNAPSHOT) {
            tracker.progress(group.get(0).progress());
            return;
        }
        tracker.progress(progressOf(group));
    }

    @Override
    public long flushedPosition() {
        return writer.flushedPosition();
    }

    private static long progressOf(List<? extends Unit<?>> group) {
        return group.stream().mapToLong(Unit::progress).max().orElse(0);
    }

    @Override
    public void failed(Throwable error) {
        Optional<String> lost = ConnectionLoss.of(error);
        if (lost.isPresent()) {
            // Not fatal: the engine stops, and the Replicator restarts it from the state row.
            LOG.warn("replication from {}: connection lost while applying ({}); nothing of the unapplied transaction was kept",
                    sourceId, lost.get());
            return;
        }
        LOG.error("replication from {} failed; the failed transaction was rolled back", sourceId, error);
        tracker.fail(error.getMessage());
    }
}
