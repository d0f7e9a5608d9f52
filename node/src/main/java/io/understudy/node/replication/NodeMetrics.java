package io.understudy.node.replication;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.understudy.cluster.Role;
import io.understudy.replicator.State;
import java.util.List;
import java.util.stream.LongStream;

/**
 * The node's Prometheus metrics. Gauges read volatile fields that the node's event thread refreshes every tick;
 * lag and applied counts are recorded by the replicator's thread as transactions are applied.
 */
public final class NodeMetrics {

    /** Alarm names exported as {@code understudy_replication_alarm{alarm=...}}. */
    public static final List<String> ALARMS = List.of(Alarms.SLOT_LAGGING, Alarms.SLOT_INACTIVE, Alarms.NO_SECONDARY,
            Alarms.SYNC_DEGRADED, Alarms.REPLICATION_FAILED, Alarms.WAL_BOUND_UNSET);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final DistributionSummary lag;
    private final Counter applied;
    private volatile Role role = Role.STARTING;
    private volatile long epoch;
    private volatile long lagMs = -1;
    private volatile long appliedPosition;
    private volatile long slotRetainedBytes = -1;
    private volatile String replicationState = "NONE";
    private volatile List<String> alarms = List.of();

    public NodeMetrics() {
        // Millisecond buckets up to 30 ms (the range the lag goal lives in), coarser above.
        double[] slo = LongStream.concat(LongStream.rangeClosed(1, 30), LongStream.of(35, 40, 50, 60, 80, 100, 150, 200, 300,
                500, 1000, 2000, 5000, 10_000, 30_000, 60_000)).mapToDouble(v -> v).toArray();
        lag = DistributionSummary.builder("understudy.replication.lag.ms")
                .description("commit on the primary to applied here, per source transaction (ms)")
                .serviceLevelObjectives(slo).register(registry);
        applied = Counter.builder("understudy.replication.applied.transactions")
                .description("source transactions applied here").register(registry);
        for (Role r : Role.values()) {
            Gauge.builder("understudy.node.role", () -> role == r ? 1 : 0).tag("role", r.name())
                    .description("1 for the node's current role").register(registry);
        }
        for (State s : State.values()) {
            Gauge.builder("understudy.replication.state", () -> replicationState.equals(s.name()) ? 1 : 0).tag("state", s.name())
                    .description("1 for the replicator's current state (all 0 on a primary)").register(registry);
        }
        for (String alarm : ALARMS) {
            Gauge.builder("understudy.replication.alarm", () -> alarms.stream().anyMatch(a -> a.startsWith(alarm)) ? 1 : 0)
                    .tag("alarm", alarm).description("1 while the alarm is raised").register(registry);
        }
        Gauge.builder("understudy.node.epoch", () -> epoch).register(registry);
        Gauge.builder("understudy.replication.lag.current.ms", () -> lagMs)
                .description("lag of the last applied transaction (ms), -1 when not a streaming secondary").register(registry);
        Gauge.builder("understudy.replication.applied.position", () -> appliedPosition)
                .description("on a secondary: last applied source commit LSN; on a primary: its WAL position").register(registry);
        Gauge.builder("understudy.replication.slot.retained.bytes", () -> slotRetainedBytes)
                .description("on a primary: most WAL held back by a secondary's slot, -1 unknown").register(registry);
    }

    /** Exports {@code understudy_failover_eligible{node=...}}: 1 while the node may become primary. Call once. */
    public void bindEligibility(String nodeId, java.util.function.BooleanSupplier eligible) {
        Gauge.builder("understudy.failover.eligible", () -> eligible.getAsBoolean() ? 1 : 0).tag("node", nodeId)
                .description("1 while this node may become primary (the reason is in /health)").register(registry);
    }

    /** A source transaction was applied here, {@code lagMs} after it committed on the primary. Any thread. */
    public void applied(long lagMillis) {
        applied.increment();
        lag.record(Math.max(0, lagMillis));
    }

    /** Refreshes the gauges; called on the node's event thread. */
    public void update(Role role, long epoch, long lagMs, long position, long slotRetainedBytes, String replicationState,
                       List<String> alarms) {
        this.role = role;
        this.epoch = epoch;
        this.lagMs = lagMs;
        this.appliedPosition = position;
        this.slotRetainedBytes = slotRetainedBytes;
        this.replicationState = replicationState;
        this.alarms = List.copyOf(alarms);
    }

    /** For other parts of the node to register their meters with (e.g. file replication). */
    public io.micrometer.core.instrument.MeterRegistry registry() {
        return registry;
    }

    public String scrape() {
        return registry.scrape();
    }
}
