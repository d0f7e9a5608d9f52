package io.understudy.replicator;

import io.understudy.cluster.Lsn;
import io.understudy.replicator.apply.TargetWriter;
import io.understudy.replicator.capture.BatchHandler;
import io.understudy.replicator.capture.TransactionAssembler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applies assembled units to the target and reports them to the {@link StatusTracker}. Engine thread only. */
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
    public void apply(TransactionAssembler.Unit<?> unit) {
        switch (unit.kind()) {
            case TRANSACTION -> {
                writer.apply(unit.changes(), new AppliedState(sourceId, unit.position(), unit.commitTsMs(), unit.snapshotComplete()));
                tracker.transactionApplied(unit.position(), unit.commitTsMs());
            }
            case SNAPSHOT -> {
                writer.apply(unit.changes(), new AppliedState(sourceId, unit.position(), 0, unit.snapshotComplete()));
                tracker.snapshotApplied(unit.changes().size(), unit.position(), unit.snapshotComplete());
            }
            case SKIP -> LOG.info("skipped redelivered transaction at {} (already applied)", Lsn.format(unit.position()));
            case PROGRESS -> {
            }
        }
        tracker.progress(unit.progress());
    }

    @Override
    public void failed(Throwable error) {
        LOG.error("replication from {} failed; the failed transaction was rolled back", sourceId, error);
        tracker.fail(error.getMessage());
    }
}
