package io.understudy.node.duties;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.understudy.cluster.DutyRun;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/**
 * The duties' meters in the node's registry: {@code understudy_duty_runs_total{duty,outcome}},
 * {@code understudy_duty_duration_seconds{duty,outcome}} and {@code understudy_duty_running{duty}}. Thread-safe.
 */
final class DutyMetrics {

    private final MeterRegistry registry;

    /** @param runningHere whether a run of the named duty goes on on this node */
    DutyMetrics(MeterRegistry registry, List<Duty> duties, Predicate<String> runningHere) {
        this.registry = registry;
        for (Duty duty : duties) {
            Gauge.builder("understudy.duty.running", () -> runningHere.test(duty.name()) ? 1 : 0)
                    .tag("duty", duty.name()).description("1 while a run of the duty goes on on this node")
                    .register(registry);
        }
    }

    void ended(DutyRun run) {
        Counter.builder("understudy.duty.runs").tag("duty", run.duty()).tag("outcome", run.outcome().name())
                .description("duty runs ended on this node, by outcome").register(registry).increment();
        Timer.builder("understudy.duty.duration").tag("duty", run.duty()).tag("outcome", run.outcome().name())
                .description("duration of duty runs ended on this node").register(registry)
                .record(Duration.ofMillis(run.durationMs()));
    }
}
