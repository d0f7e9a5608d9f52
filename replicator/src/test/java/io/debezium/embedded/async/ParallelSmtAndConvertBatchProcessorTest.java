package io.debezium.embedded.async;

import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.config.Configuration;
import io.debezium.embedded.Transformations;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/**
 * The replicator's own {@link ParallelSmtAndConvertBatchProcessor} (it replaces Debezium's, see its Javadoc): the
 * polling thread converts a batch itself, in order, and hands it on whole, without the engine's record thread pool.
 */
class ParallelSmtAndConvertBatchProcessorTest {

    private static SourceRecord record(int n) {
        return new SourceRecord(Map.of(), Map.of("lsn", (long) n), "topic", Schema.INT32_SCHEMA, n);
    }

    @Test
    void convertsTheBatchInOrderOnTheCallingThreadAndHandsItOnWhole() throws Exception {
        List<List<String>> handed = new ArrayList<>();
        List<String> threads = new ArrayList<>();
        ParallelSmtAndConvertBatchProcessor<String> processor = new ParallelSmtAndConvertBatchProcessor<>(r -> {
            threads.add(Thread.currentThread().getName());
            return "converted " + r.value();
        }, batch -> handed.add(List.copyOf(batch)));
        // The engine's record pool, which the replacement must not need: shut down, it refuses any record sent to it.
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
        pool.shutdown();
        try (Transformations none = new Transformations(Configuration.from(Map.of()))) {
            processor.initialize(pool, none);

            processor.processRecords(List.of(record(1), record(2), record(3)));
            processor.processRecords(List.of(record(4)));
        }

        assertThat(handed).containsExactly(List.of("converted 1", "converted 2", "converted 3"), List.of("converted 4"));
        assertThat(threads).containsOnly(Thread.currentThread().getName());
        assertThat(pool.getTaskCount()).isZero();
    }
}
