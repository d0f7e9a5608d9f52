package io.debezium.pipeline.meters;

import io.debezium.data.Envelope;
import io.debezium.pipeline.metrics.traits.CommonEventMetricsMXBean;
import io.debezium.pipeline.source.spi.EventMetadataProvider;
import io.debezium.pipeline.spi.OffsetContext;
import io.debezium.spi.schema.DataCollectionId;
import io.debezium.util.Clock;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.connect.data.Struct;

/**
 * Understudy's replacement of Debezium 3.6.1's class of this name (the replicator's classes come first on the class
 * path, and the launcher's shaded jar leaves Debezium's copy out). Same counters and the same MXBean; the one
 * difference: the last event's summary is built when {@link #getLastEvent()} is read, not for every event. Debezium
 * 3.6.1 builds it on the connector's single decoding thread for every change (with a new JSON mapper each time, a
 * fifth of that thread's time in the replication benchmark's profile), and nothing here reads it. The summary shows
 * the offset as it is when read, which may be a later event's. {@code DebeziumClassReplacementTest} fails once
 * Debezium is upgraded, so that the replacement is reconsidered (the upstream fix replaces the mapper).
 */
public class CommonEventMeter implements CommonEventMetricsMXBean {

    private record Last(DataCollectionId source, OffsetContext offset, Object key, Struct value) {
    }

    protected final AtomicLong totalNumberOfEventsSeen = new AtomicLong();
    protected final AtomicLong totalNumberOfCreateEventsSeen = new AtomicLong();
    protected final AtomicLong totalNumberOfUpdateEventsSeen = new AtomicLong();
    protected final AtomicLong totalNumberOfDeleteEventsSeen = new AtomicLong();
    private final AtomicLong numberOfEventsFiltered = new AtomicLong();
    protected final AtomicLong numberOfErroneousEvents = new AtomicLong();
    protected final AtomicLong lastEventTimestamp = new AtomicLong(-1);
    private volatile Last lastEvent;
    private final Clock clock;
    private final EventMetadataProvider metadataProvider;

    public CommonEventMeter(Clock clock, EventMetadataProvider metadataProvider) {
        this.clock = clock;
        this.metadataProvider = metadataProvider;
    }

    public void onEvent(DataCollectionId source, OffsetContext offset, Object key, Struct value, Envelope.Operation operation) {
        count(operation);
        lastEvent = new Last(source, offset, key, value);
    }

    public void onFilteredEvent() {
        numberOfEventsFiltered.incrementAndGet();
        count(null);
    }

    public void onFilteredEvent(Envelope.Operation operation) {
        numberOfEventsFiltered.incrementAndGet();
        count(operation);
    }

    public void onErroneousEvent() {
        numberOfErroneousEvents.incrementAndGet();
        count(null);
    }

    public void onErroneousEvent(Envelope.Operation operation) {
        numberOfErroneousEvents.incrementAndGet();
        count(operation);
    }

    private void count(Envelope.Operation operation) {
        totalNumberOfEventsSeen.incrementAndGet();
        lastEventTimestamp.set(clock.currentTimeInMillis());
        if (operation == Envelope.Operation.CREATE) {
            totalNumberOfCreateEventsSeen.incrementAndGet();
        } else if (operation == Envelope.Operation.UPDATE) {
            totalNumberOfUpdateEventsSeen.incrementAndGet();
        } else if (operation == Envelope.Operation.DELETE) {
            totalNumberOfDeleteEventsSeen.incrementAndGet();
        }
    }

    @Override
    public String getLastEvent() {
        Last last = lastEvent;
        return last == null ? null : metadataProvider.toSummaryString(last.source(), last.offset(), last.key(), last.value());
    }

    @Override
    public long getMilliSecondsSinceLastEvent() {
        long last = lastEventTimestamp.get();
        return last == -1 ? -1 : clock.currentTimeInMillis() - last;
    }

    @Override
    public long getTotalNumberOfEventsSeen() {
        return totalNumberOfEventsSeen.get();
    }

    @Override
    public long getTotalNumberOfCreateEventsSeen() {
        return totalNumberOfCreateEventsSeen.get();
    }

    @Override
    public long getTotalNumberOfUpdateEventsSeen() {
        return totalNumberOfUpdateEventsSeen.get();
    }

    @Override
    public long getTotalNumberOfDeleteEventsSeen() {
        return totalNumberOfDeleteEventsSeen.get();
    }

    @Override
    public long getNumberOfEventsFiltered() {
        return numberOfEventsFiltered.get();
    }

    @Override
    public long getNumberOfErroneousEvents() {
        return numberOfErroneousEvents.get();
    }

    public void reset() {
        totalNumberOfEventsSeen.set(0);
        totalNumberOfCreateEventsSeen.set(0);
        totalNumberOfUpdateEventsSeen.set(0);
        totalNumberOfDeleteEventsSeen.set(0);
        lastEventTimestamp.set(-1);
        numberOfEventsFiltered.set(0);
        numberOfErroneousEvents.set(0);
        lastEvent = null;
    }
}
