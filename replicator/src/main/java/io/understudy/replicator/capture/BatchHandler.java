package io.understudy.replicator.capture;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Receives the engine's batches: decodes every record, groups them into units with a {@link TransactionAssembler},
 * hands each group of units ({@link ApplyGroups}) to the {@link UnitSink} and acknowledges their records only after
 * the sink returned (that is, after the group's local transaction committed). Any error stops this handler: it is reported and rethrown,
 * which stops the engine without acknowledging the failed unit (whether it is fatal is the sink's call).
 */
public final class BatchHandler implements DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> {

    /** Applies groups of units; called on the engine thread, in stream order. */
    public interface UnitSink {
        /** Applies every unit of the group in one local transaction, or none of them. */
        void apply(List<? extends TransactionAssembler.Unit<?>> group);

        void failed(Throwable error);
    }

    /** Row changes per local transaction beyond which a group of source transactions is closed. */
    static final int MAX_GROUP_CHANGES = 2000;

    private final RecordDecoder decoder;
    private final TransactionAssembler<RecordChangeEvent<SourceRecord>> assembler;
    private final UnitSink sink;
    private volatile Throwable failure;

    public BatchHandler(RecordDecoder decoder, TransactionAssembler<RecordChangeEvent<SourceRecord>> assembler, UnitSink sink) {
        this.decoder = decoder;
        this.assembler = assembler;
        this.sink = sink;
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
            for (List<TransactionAssembler.Unit<RecordChangeEvent<SourceRecord>>> group
                    : ApplyGroups.of(assembler.accept(items), MAX_GROUP_CHANGES)) {
                sink.apply(group);
                for (TransactionAssembler.Unit<RecordChangeEvent<SourceRecord>> unit : group) {
                    for (RecordChangeEvent<SourceRecord> done : unit.acks()) {
                        committer.markProcessed(done);
                    }
                }
            }
            committer.markBatchFinished();
        } catch (RuntimeException e) {
            failure = e;
            sink.failed(e);
            throw e;
        }
    }
}
