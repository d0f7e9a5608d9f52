package io.debezium.embedded.async;

import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.config.Configuration;
import io.debezium.embedded.Transformations;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/**
 * The replicator's own {@link ParallelSmtAndConvertBatchProcessor} (it replaces Debezium's, see its Javadoc): the
 * polling thread converts a batch itself, in order, and hands it on whole, without the engine's record thread pool.
 */
class ParallelSmtAndConvertBatchProcessorTest {

    /** The engine's record pool, which the replacement must not need. */
    private static final class RefusingPool extends AbstractExecutorService {
        final List<Runnable> submitted = new ArrayList<>();

        @Override
        public void execute(Runnable command) {
            submitted.add(command);
            throw new IllegalStateException("a record went to the engine's record pool");
        }

        @Override
        public void shutdown() {
        }

        @Override
        public List<Runnable> shutdownNow() {
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return false;
        }

        @Override
        public boolean isTerminated() {
            return false;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return true;
        }
    }

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
        RefusingPool pool = new RefusingPool();
        try (Transformations none = new Transformations(Configuration.from(Map.of()))) {
            processor.initialize(pool, none);

            processor.processRecords(List.of(record(1), record(2), record(3)));
            processor.processRecords(List.of(record(4)));
        }

        assertThat(handed).containsExactly(List.of("converted 1", "converted 2", "converted 3"), List.of("converted 4"));
        assertThat(threads).containsOnly(Thread.currentThread().getName());
        assertThat(pool.submitted).isEmpty();
    }
}
