package io.understudy.replicator.capture;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Receives the engine's batches: decodes every record, groups them into units with a {@link TransactionAssembler},
 * hands each group of units ({@link ApplyGroups}) to the {@link UnitSink} and acknowledges their records only once the
 * group's local transaction is durable on the target ({@link DurableGroups}). Any error stops this handler: it is
 * reported and rethrown, which stops the engine without acknowledging the failed unit (whether it is fatal is the
 * sink's call).
 *
 * <p>A group is committed without waiting for its WAL flush when more work is already waiting (another group of the
 * batch, or a full batch: the engine's queue holds more); the last group before the stream runs dry is committed
 * synchronously, which makes it and every group before it durable at once. Under a backlog the target's WAL writer
 * flushes in the background instead of once per group; when idle, latency is one synchronous commit, as before.
 */
public final class BatchHandler implements DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> {

    /** Applies groups of units; called on the engine thread, in stream order. */
    public interface UnitSink {
        /**
         * Applies every unit of the group in one local transaction, or none of them.
         *
         * @param durable whether to commit synchronously
         */
        DurableGroups.Commit apply(List<? extends TransactionAssembler.Unit<?>> group, boolean durable);

        /** The group's commit is durable on the target; called in commit order. */
        void durable(List<? extends TransactionAssembler.Unit<?>> group);

        /** The target's flushed WAL position now. */
        long flushedPosition();

        void failed(Throwable error);
    }

    /** Row changes per local transaction beyond which a group of source transactions is closed. */
    static final int MAX_GROUP_CHANGES = 2000;

    private final RecordDecoder decoder;
    private final TransactionAssembler<RecordChangeEvent<SourceRecord>> assembler;
    private final UnitSink sink;
    private final int fullBatch;
    private final DurableGroups<List<TransactionAssembler.Unit<RecordChangeEvent<SourceRecord>>>> durable = new DurableGroups<>();
    private volatile Throwable failure;

    /** @param fullBatch the engine's batch size limit: a batch this large means more records are waiting */
    public BatchHandler(RecordDecoder decoder, TransactionAssembler<RecordChangeEvent<SourceRecord>> assembler, UnitSink sink,
                        int fullBatch) {
        this.decoder = decoder;
        this.assembler = assembler;
        this.sink = sink;
        this.fullBatch = fullBatch;
    }

    /** The error that stopped this handler, or null. */
    public Throwable failure() {
        return failure;
    }

    @Override
    public void handleBatch(List<RecordChangeEvent<SourceRecord>> records,
                            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer) throws InterruptedException {
        Throwable earlier = failure;
        if (earlier != null) {
            throw new IllegalStateException("replication already failed; refusing further records", earlier);
        }
        try {
            List<TransactionAssembler.Item<RecordChangeEvent<SourceRecord>>> items = new ArrayList<>(records.size());
            for (RecordChangeEvent<SourceRecord> record : records) {
                items.add(new TransactionAssembler.Item<>(decoder.decode(record.record()), record));
            }
            boolean moreWaiting = records.size() >= fullBatch;
            List<List<TransactionAssembler.Unit<RecordChangeEvent<SourceRecord>>>> groups
                    = ApplyGroups.of(assembler.accept(items), MAX_GROUP_CHANGES);
            for (int i = 0; i < groups.size(); i++) {
                boolean last = i == groups.size() - 1;
                DurableGroups.Commit commit = sink.apply(groups.get(i), last && !moreWaiting);
                release(durable.committed(groups.get(i), commit), committer);
            }
            if (!moreWaiting && durable.pending()) {
                release(durable.flushed(sink.flushedPosition()), committer);
            }
            committer.markBatchFinished();
        } catch (RuntimeException e) {
            failure = e;
            sink.failed(e);
            throw e;
        }
    }

    private void release(List<List<TransactionAssembler.Unit<RecordChangeEvent<SourceRecord>>>> groups,
                         DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer) throws InterruptedException {
        for (List<TransactionAssembler.Unit<RecordChangeEvent<SourceRecord>>> group : groups) {
            sink.durable(group);
            for (TransactionAssembler.Unit<RecordChangeEvent<SourceRecord>> unit : group) {
                for (RecordChangeEvent<SourceRecord> done : unit.acks()) {
                    committer.markProcessed(done);
                }
            }
        }
    }
}
