package io.understudy.replicator.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.data.Envelope;
import io.debezium.pipeline.meters.CommonEventMeter;
import io.debezium.pipeline.metrics.traits.CommonEventMetricsMXBean;
import io.debezium.pipeline.source.spi.EventMetadataProvider;
import io.debezium.pipeline.spi.OffsetContext;
import io.debezium.relational.TableId;
import io.debezium.spi.schema.DataCollectionId;
import io.debezium.util.Clock;
import java.lang.reflect.Method;
import java.net.URLClassLoader;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

/**
 * The replicator's {@link CommonEventMeter} against the connector's own, loaded from Debezium's jar: after every step
 * of a seeded sequence of events, filtered and erroneous events and resets, every attribute of the MXBean reads the
 * same, the last event's summary included (built by the metadata provider's own {@code toSummaryString}).
 */
class CommonEventMeterTest {

    private static final long SEED = 20261205L;
    private static final Envelope.Operation[] OPERATIONS = {Envelope.Operation.CREATE, Envelope.Operation.UPDATE,
        Envelope.Operation.DELETE, Envelope.Operation.READ, Envelope.Operation.TRUNCATE, null};
    private static final Schema ROW = SchemaBuilder.struct().field("id", Schema.INT64_SCHEMA).field("note", Schema.STRING_SCHEMA)
            .build();

    @Test
    void shouldReadAsTheConnectorsOwnAfterEveryStep() throws Exception {
        System.out.println("CommonEventMeterTest seed " + SEED);
        long[] now = {1_796_000_000_000L};
        Clock clock = () -> now[0];
        // with the class its switch on the operation compiles to, which must come from the same loader
        Set<String> names = Set.of(CommonEventMeter.class.getName(), CommonEventMeter.class.getName() + "$1");
        try (URLClassLoader debeziums = new DebeziumClassReplacementTest.OriginalFirst(
                DebeziumClassReplacementTest.debeziumJarOf(CommonEventMeter.class), getClass().getClassLoader(), names)) {
            Class<?> type = debeziums.loadClass(CommonEventMeter.class.getName());
            assertThat(type).isNotEqualTo(CommonEventMeter.class);
            Object theirs = type.getConstructor(Clock.class, EventMetadataProvider.class).newInstance(clock, new Metadata());
            CommonEventMeter ours = new CommonEventMeter(clock, new Metadata());
            Random random = new Random(SEED);

            assertSameReadings(ours, (CommonEventMetricsMXBean) theirs, "before any event");
            for (int step = 0; step < 5_000; step++) {
                now[0] += random.nextInt(50);
                String what = apply(random, ours, theirs, step);
                assertSameReadings(ours, (CommonEventMetricsMXBean) theirs, "step " + step + ", " + what);
            }
        }
    }

    /** One seeded step, done to both meters; what it was. */
    private static String apply(Random random, CommonEventMeter ours, Object theirs, int step) throws Exception {
        Envelope.Operation operation = OPERATIONS[random.nextInt(OPERATIONS.length)];
        int kind = random.nextInt(20);
        if (kind < 12) {
            TableId table = new TableId("app", "public", "t" + random.nextInt(3));
            Struct value = new Struct(ROW).put("id", (long) step).put("note", "row " + step);
            ours.onEvent(table, null, step, value, operation);
            call(theirs, "onEvent", new Class<?>[] {DataCollectionId.class, OffsetContext.class, Object.class, Struct.class,
                Envelope.Operation.class}, table, null, step, value, operation);
            return "event " + operation + " on " + table;
        }
        if (kind < 15) {
            boolean withOperation = random.nextBoolean();
            if (withOperation) {
                ours.onFilteredEvent(operation);
                call(theirs, "onFilteredEvent", new Class<?>[] {Envelope.Operation.class}, operation);
            } else {
                ours.onFilteredEvent();
                call(theirs, "onFilteredEvent", new Class<?>[0]);
            }
            return "filtered event" + (withOperation ? " " + operation : "");
        }
        if (kind < 19) {
            boolean withOperation = random.nextBoolean();
            if (withOperation) {
                ours.onErroneousEvent(operation);
                call(theirs, "onErroneousEvent", new Class<?>[] {Envelope.Operation.class}, operation);
            } else {
                ours.onErroneousEvent();
                call(theirs, "onErroneousEvent", new Class<?>[0]);
            }
            return "erroneous event" + (withOperation ? " " + operation : "");
        }
        ours.reset();
        call(theirs, "reset", new Class<?>[0]);
        return "reset";
    }

    private static void call(Object target, String name, Class<?>[] parameters, Object... arguments) throws Exception {
        Method method = target.getClass().getMethod(name, parameters);
        method.invoke(target, arguments);
    }

    private static void assertSameReadings(CommonEventMetricsMXBean ours, CommonEventMetricsMXBean theirs, String after) {
        assertThat(ours.getLastEvent()).as("last event after %s", after).isEqualTo(theirs.getLastEvent());
        assertThat(ours.getMilliSecondsSinceLastEvent()).as("ms since the last event after %s", after)
                .isEqualTo(theirs.getMilliSecondsSinceLastEvent());
        assertThat(ours.getTotalNumberOfEventsSeen()).as("events after %s", after).isEqualTo(theirs.getTotalNumberOfEventsSeen());
        assertThat(ours.getTotalNumberOfCreateEventsSeen()).as("creates after %s", after)
                .isEqualTo(theirs.getTotalNumberOfCreateEventsSeen());
        assertThat(ours.getTotalNumberOfUpdateEventsSeen()).as("updates after %s", after)
                .isEqualTo(theirs.getTotalNumberOfUpdateEventsSeen());
        assertThat(ours.getTotalNumberOfDeleteEventsSeen()).as("deletes after %s", after)
                .isEqualTo(theirs.getTotalNumberOfDeleteEventsSeen());
        assertThat(ours.getNumberOfEventsFiltered()).as("filtered after %s", after).isEqualTo(theirs.getNumberOfEventsFiltered());
        assertThat(ours.getNumberOfErroneousEvents()).as("erroneous after %s", after)
                .isEqualTo(theirs.getNumberOfErroneousEvents());
    }

    /** Metadata of an event read from its table and value alone; the summary is the interface's own. */
    private static final class Metadata implements EventMetadataProvider {

        @Override
        public Instant getEventTimestamp(DataCollectionId source, OffsetContext offset, Object key, Struct value) {
            return Instant.ofEpochMilli(1_796_000_000_000L + value.getInt64("id"));
        }

        @Override
        public Map<String, String> getEventSourcePosition(DataCollectionId source, OffsetContext offset, Object key,
                Struct value) {
            return new java.util.TreeMap<>(Map.of("lsn", Long.toString(1_000 + value.getInt64("id")), "table", source.identifier()));
        }

        @Override
        public String getTransactionId(DataCollectionId source, OffsetContext offset, Object key, Struct value) {
            return "tx-" + key;
        }
    }
}
