package io.understudy.failoverswitch.metrics;

import io.understudy.failoverswitch.proxy.Backend;
import io.understudy.failoverswitch.proxy.Forwarder;
import io.understudy.failoverswitch.proxy.HoldQueue;
import io.understudy.failoverswitch.proxy.RetryPolicy.Failure;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The switch's Prometheus metrics: requests by status, held requests and hold time, retries,
 * backend timeouts, the epoch traffic goes to and how often the primary changed. Counters are
 * created once and looked up by index, so counting a request allocates nothing. Any thread.
 */
public final class SwitchMetrics implements HoldQueue.Listener, Forwarder.Events {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicReferenceArray<Counter> byStatus = new AtomicReferenceArray<>(600);
    private final Map<HoldQueue.Outcome, Timer> holdTime = new EnumMap<>(HoldQueue.Outcome.class);
    private final Map<Failure, Counter> retries = new EnumMap<>(Failure.class);
    private final Counter timeouts;
    private final Counter outcomeUnknown;
    private final Counter primaryChanges;
    private final AtomicLong epoch = new AtomicLong();

    public SwitchMetrics() {
        for (HoldQueue.Outcome outcome : HoldQueue.Outcome.values()) {
            holdTime.put(outcome, Timer.builder("understudy.switch.hold")
                    .description("time requests waited for a primary, by how the wait ended")
                    .tag("outcome", outcome.name().toLowerCase())
                    .register(registry));
        }
        for (Failure failure : Failure.values()) {
            retries.put(failure, Counter.builder("understudy.switch.retries")
                    .description("requests sent again after an attempt at a node failed, by why")
                    .tag("reason", failure.name().toLowerCase())
                    .register(registry));
        }
        timeouts = Counter.builder("understudy.switch.backend.timeouts")
                .description("attempts at a node that got no complete answer within switch.backendTimeoutMs")
                .register(registry);
        outcomeUnknown = Counter.builder("understudy.switch.outcome.unknown")
                .description("requests abandoned at a primary that a newer epoch superseded before it answered, "
                        + "that could not be sent again (503 outcome_unknown)")
                .register(registry);
        primaryChanges = Counter.builder("understudy.switch.primary.changes")
                .description("times the switch started sending traffic to another primary (or to none)")
                .register(registry);
        Gauge.builder("understudy.switch.epoch", epoch, AtomicLong::get)
                .description("epoch stamped on forwarded requests; 0 while there is no primary")
                .register(registry);
    }

    /** Gauges read from the running switch; call once at start. */
    public void bind(IntSupplier heldRequests, LongSupplier bufferedBodyBytes) {
        // strong references: a gauge holds its object weakly, and nothing else holds these suppliers
        Gauge.builder("understudy.switch.held.requests", heldRequests, s -> s.getAsInt())
                .description("requests waiting for a primary right now")
                .strongReference(true)
                .register(registry);
        Gauge.builder("understudy.switch.buffered.body.bytes", bufferedBodyBytes, s -> s.getAsLong())
                .description("request body bytes kept in memory so they can be retried")
                .strongReference(true)
                .register(registry);
    }

    /** Exports how many members could take over from the primary now ({@link io.understudy.cluster.FailoverOutlook}). */
    public void bindCandidates(IntSupplier eligibleCandidates) {
        Gauge.builder("understudy.switch.failover.candidates", eligibleCandidates, s -> s.getAsInt())
                .description("members other than the live primary whose candidacy says eligible; 0 with no primary means "
                        + "failover is blocked (the reason is in /_understudy/status)")
                .strongReference(true)
                .register(registry);
    }

    /** A response was sent to a client (any status the switch or a node produced). */
    public void responded(int status) {
        int index = status < 0 || status >= 600 ? 0 : status;
        Counter counter = byStatus.get(index);
        if (counter == null) {
            counter = Counter.builder("understudy.switch.requests")
                    .description("client requests answered, by HTTP status")
                    .tag("status", Integer.toString(status))
                    .register(registry);
            byStatus.set(index, counter);
        }
        counter.increment();
    }

    /** The route moved to {@code backend} (null: no primary). */
    public void primaryChanged(Backend backend) {
        primaryChanges.increment();
        epoch.set(backend == null ? 0 : backend.epoch());
    }

    @Override
    public void ended(HoldQueue.Outcome outcome, long heldNanos) {
        holdTime.get(outcome).record(heldNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void retried(Failure failure) {
        retries.get(failure).increment();
    }

    @Override
    public void timedOut() {
        timeouts.increment();
    }

    @Override
    public void outcomeUnknown() {
        outcomeUnknown.increment();
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }
}
