package io.debezium.embedded.async;

import io.debezium.engine.DebeziumEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Understudy's replacement of Debezium 3.6.1's class of this name: what the asynchronous engine does with each batch
 * the connector hands it before the replicator's handler sees it (transformations, then the conversion to the
 * handler's record type). Same constructor, factory and result; one difference, in {@link #processRecords}.
 *
 * <p>Debezium's copy submits every record of the batch to the engine's record thread pool and waits for each answer
 * in turn. The replicator configures no transformation and its conversion only wraps the record, so the pool does no
 * work worth a thread: it adds two hand-overs between threads to every batch (a pool thread woken, the polling thread
 * woken again), and on a loaded machine each waits for a core. A single-row source transaction is one batch of three
 * records at light load; its lag carried those waits.
 *
 * <p>Here the polling thread transforms and converts the records itself, in order, and hands the batch on exactly as
 * Debezium's copy does. {@code DebeziumClassReplacementTest} fails once Debezium is upgraded, so that the replacement
 * is compared with the new class.
 *
 * @param <R> the handler's record type
 */
public class ParallelSmtAndConvertBatchProcessor<R> extends AbstractRecordProcessor<R> {

    private final Function<SourceRecord, R> convertor;
    private final AbstractRecordProcessor.BatchProcessor<R> processor;

    ParallelSmtAndConvertBatchProcessor(Function<SourceRecord, R> convertor, AbstractRecordProcessor.BatchProcessor<R> processor) {
        this.convertor = convertor;
        this.processor = processor;
    }

    @Override
    public void processRecords(List<SourceRecord> records) throws Exception {
        List<R> converted = new ArrayList<>(records.size());
        for (SourceRecord record : records) {
            SourceRecord transformed = transformations.transform(record);
            if (transformed != null) {
                converted.add(convertor.apply(transformed));
            }
        }
        processor.process(converted);
    }

    /** As Debezium's copy: a processor that hands batches straight to {@code consumer}, or through the shutdown hooks. */
    public static <R> ParallelSmtAndConvertBatchProcessor<R> create(DebeziumEngine.RecordCommitter<R> committer,
                                                                    Function<SourceRecord, R> convertor,
                                                                    DebeziumEngine.ChangeConsumer<R> consumer, Watcher watcher,
                                                                    DebeziumEngine.Shutdown<R> shutdown, Runnable stop,
                                                                    Map<String, String> config) {
        if (shutdown == null) {
            return new ParallelSmtAndConvertBatchProcessor<>(convertor,
                    new AbstractRecordProcessor.BatchProcessor.DirectProcessor<>(committer, consumer));
        }
        return new ParallelSmtAndConvertBatchProcessor<>(convertor, new AbstractRecordProcessor.BatchProcessor.ObservableProcessor<>(
                watcher, committer, new ShutdownChangeConsumer<>(
                        DefaultShutdownHandler.create(shutdown.before(), stop, committer, config),
                        DefaultShutdownHandler.create(shutdown.after(), stop, committer, config), consumer, watcher)));
    }
}
