package io.understudy.replicator;

import io.understudy.cluster.Lsn;
import io.understudy.replicator.apply.Change;
import io.understudy.replicator.apply.TargetWriter;
import io.understudy.replicator.capture.BatchHandler;
import io.understudy.replicator.capture.TransactionAssembler;
import io.understudy.replicator.capture.TransactionAssembler.Kind;
import io.understudy.replicator.capture.TransactionAssembler.Unit;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applies groups of assembled units to the target and reports them to the {@link StatusTracker}. Engine thread only. */
final class UnitApplier implements BatchHandler.UnitSink {

    private static final Logger LOG = LoggerFactory.getLogger(UnitApplier.class);

    private final TargetWriter writer;
    private final String sourceId;
    private final StatusTracker tracker;

    UnitApplier(TargetWriter writer, String sourceId, StatusTracker tracker) {
        this.writer = writer;
        this.sourceId = sourceId;
        this.tracker = tracker;
    }

    @Override
    public void apply(List<? extends Unit<?>> group) {
        if (group.size() == 1 && group.get(0).kind() == Kind.SNAPSHOT) {
            Unit<?> unit = group.get(0);
            writer.apply(unit.changes(), new AppliedState(sourceId, unit.position(), 0, unit.snapshotComplete()));
            tracker.snapshotApplied(unit.changes(), unit.position(), unit.snapshotComplete());
            tracker.progress(unit.progress());
            return;
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
        if (last != null) {
            writer.applyTransactions(transactions, new AppliedState(sourceId, last.position(), last.commitTsMs(), last.snapshotComplete()));
        }
        long progress = 0;
        for (Unit<?> unit : group) {
            if (unit.kind() == Kind.TRANSACTION) {
                tracker.transactionApplied(unit.position(), unit.commitTsMs());
            }
            progress = Math.max(progress, unit.progress());
        }
        tracker.progress(progress);
    }

    @Override
    public void failed(Throwable error) {
        LOG.error("replication from {} failed; the failed transaction was rolled back", sourceId, error);
        tracker.fail(error.getMessage());
    }
}
