package io.understudy.replicator.capture;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Receives the engine's batches: decodes every record, groups them into units with a {@link TransactionAssembler},
 * hands each unit to the {@link UnitSink} and acknowledges its records only after the sink returned (that is,
 * after the unit's local transaction committed). Any error is fatal: it is reported and rethrown, which stops
 * the engine without acknowledging the failed unit.
 */
public final class BatchHandler implements DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> {

    /** Applies units; called on the engine thread, in stream order. */
    public interface UnitSink {
        void apply(TransactionAssembler.Unit<?> unit);

        void failed(Throwable error);
    }

    private final RecordDecoder decoder;
    private final TransactionAssembler<RecordChangeEvent<SourceRecord>> assembler;
    private final UnitSink sink;
    private volatile boolean failed;

    public BatchHandler(RecordDecoder decoder, TransactionAssembler<RecordChangeEvent<SourceRecord>> assembler, UnitSink sink) {
        this.decoder = decoder;
        this.assembler = assembler;
        this.sink = sink;
    }

    @Override
    public void handleBatch(List<RecordChangeEvent<SourceRecord>> records,
                            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer) throws InterruptedException {
        if (failed) {
            throw new IllegalStateException("replication already failed; refusing further records");
        }
        try {
            List<TransactionAssembler.Item<RecordChangeEvent<SourceRecord>>> items = new ArrayList<>(records.size());
            for (RecordChangeEvent<SourceRecord> record : records) {
                items.add(new TransactionAssembler.Item<>(decoder.decode(record.record()), record));
            }
            for (TransactionAssembler.Unit<RecordChangeEvent<SourceRecord>> unit : assembler.accept(items)) {
                sink.apply(unit);
                for (RecordChangeEvent<SourceRecord> done : unit.acks()) {
                    committer.markProcessed(done);
                }
            }
            committer.markBatchFinished();
        } catch (RuntimeException e) {
            failed = true;
            sink.failed(e);
            throw e;
        }
    }
}
