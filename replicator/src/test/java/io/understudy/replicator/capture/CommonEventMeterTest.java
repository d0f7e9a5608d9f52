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
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
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
        AtomicLong now = new AtomicLong(1_796_000_000_000L);
        Clock clock = now::get;
        // with the class its switch on the operation compiles to, which must come from the same loader
        Set<String> names = Set.of(CommonEventMeter.class.getName(), CommonEventMeter.class.getName() + "$1");
        try (URLClassLoader debeziums = new DebeziumClassReplacementTest.OriginalFirst(
                DebeziumClassReplacementTest.debeziumJarOf(CommonEventMeter.class), getClass().getClassLoader(), names)) {
            Class<?> type = debeziums.loadClass(CommonEventMeter.class.getName());
            assertThat(type).isNotEqualTo(CommonEventMeter.class);
            Object theirs = type.getConstructor(Clock.class, EventMetadataProvider.class).newInstance(clock, new Metadata());
            List<Object> meters = List.of(new CommonEventMeter(clock, new Metadata()), theirs);
            Random random = new Random(SEED);

            assertSameReadings(meters, "before any event");
            for (int step = 0; step < 5_000; step++) {
                now.addAndGet(random.nextInt(50));
                String what = apply(random, meters, step);
                assertSameReadings(meters, "step " + step + ", " + what);
            }
        }
    }

    /** One seeded step, done to every meter; what it was. */
    private static String apply(Random random, List<Object> meters, int step) throws Exception {
        Envelope.Operation operation = OPERATIONS[random.nextInt(OPERATIONS.length)];
        int kind = random.nextInt(20);
        if (kind < 12) {
            TableId table = new TableId("app", "public", "t" + random.nextInt(3));
            Struct value = new Struct(ROW).put("id", (long) step).put("note", "row " + step);
            callOnEach(meters, "onEvent", new Class<?>[] {DataCollectionId.class, OffsetContext.class, Object.class,
                Struct.class, Envelope.Operation.class}, table, null, step, value, operation);
            return "event " + operation + " on " + table;
        }
        if (kind < 19) {
            String method = kind < 15 ? "onFilteredEvent" : "onErroneousEvent";
            if (random.nextBoolean()) {
                callOnEach(meters, method, new Class<?>[] {Envelope.Operation.class}, operation);
                return method + " " + operation;
            }
            callOnEach(meters, method, new Class<?>[0]);
            return method;
        }
        callOnEach(meters, "reset", new Class<?>[0]);
        return "reset";
    }

    /** Calls the same method on each meter: ours and Debezium's are classes of the same name from two loaders. */
    private static void callOnEach(List<Object> meters, String name, Class<?>[] parameters, Object... arguments)
            throws Exception {
        for (Object meter : meters) {
            meter.getClass().getMethod(name, parameters).invoke(meter, arguments);
        }
    }

    /** Every attribute of the MXBean, as the interface lists them, reads the same on both meters. */
    private static void assertSameReadings(List<Object> meters, String after) throws Exception {
        for (Method attribute : CommonEventMetricsMXBean.class.getMethods()) {
            assertThat(attribute.invoke(meters.get(0))).as("%s after %s", attribute.getName(), after)
                    .isEqualTo(attribute.invoke(meters.get(1)));
        }
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
            return new TreeMap<>(Map.of("lsn", Long.toString(1_000 + value.getInt64("id")), "table", source.identifier()));
        }

        @Override
        public String getTransactionId(DataCollectionId source, OffsetContext offset, Object key, Struct value) {
            return "tx-" + key;
        }
    }
}
