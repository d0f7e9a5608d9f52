package io.understudy.node.duties;

import io.micrometer.core.instrument.MeterRegistry;
import io.understudy.cluster.ClusterSettings;
import io.understudy.cluster.DutyRun;
import io.understudy.cluster.Role;
import io.understudy.cluster.zk.ZkPaths;
import io.understudy.node.role.WriteGate;
import io.understudy.node.supervise.CommandEnv;
import io.understudy.node.supervise.ProcessGroup;
import io.understudy.node.supervise.RoleChange;
import io.understudy.node.supervise.Threads;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs the primary-only duties on the node that is primary, as {@link DutyRules} decides, and the retention
 * rounds ({@link Retention}). Two threads of its own:
 * <ul>
 *   <li>{@code duties} owns the schedule: every {@link #TICK_MS} it decides per duty, records starts and ends in
 *       ZooKeeper (blocking calls are fine here, never on the node's event thread), starts processes;</li>
 *   <li>{@code duty-fence} only looks at the write gate and the clock every {@link #FENCE_MS}: a run whose epoch
 *       the gate no longer admits (demotion, lost lease, a newer epoch) gets SIGKILL at once, a run past its
 *       timeout gets SIGTERM and then SIGKILL; it never waits for ZooKeeper, so a stuck ZooKeeper call cannot
 *       delay a kill.</li>
 * </ul>
 * A run's output goes to the node's log under {@code duty.<name>}; each run counts in {@link DutyMetrics}.
 */
public final class DutyRunner implements RoleChange.Observer, AutoCloseable {

    static final long TICK_MS = 200;
    static final long FENCE_MS = 50;
    /** How often the primary prunes history and idempotency keys (and at once when it becomes primary or they change). */
    static final long RETENTION_EVERY_MS = 60_000;
    /** SIGTERM to SIGKILL for a run past its timeout or stopped with the node. */
    static final Duration GRACE = Duration.ofSeconds(5);
    private static final Logger log = LoggerFactory.getLogger(DutyRunner.class);

    /** A run going on here. The fence thread sets the kill fields; the duties thread everything else. */
    private static final class Running {
        final Duty duty;
        final DutyRun run;
        final ProcessGroup process;
        final long deadlineNanos;
        volatile DutyRun.Outcome stoppedAs;
        volatile String stoppedWhy;
        volatile long termSentNanos;

        Running(Duty duty, DutyRun run, ProcessGroup process) {
            this.duty = duty;
            this.run = run;
            this.process = process;
            this.deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(duty.timeoutMs());
        }
    }

    private final List<Duty> duties;
    private final String nodeId;
    private final WriteGate gate;
    private final CommandEnv env;
    private final Supplier<ClusterSettings> clusterSettings;
    private final Retention retention;
    private final DutyMetrics metrics;
    private final ScheduledExecutorService thread = Threads.eventThread("duties");
    private final ScheduledExecutorService fence = Threads.eventThread("duty-fence");
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    // Owned by the duties thread.
    private final Map<String, DutyStore.Versioned> records = new HashMap<>();
    private DutyStore store;
    private CuratorFramework client;
    private ZkPaths paths;
    private volatile RoleChange placed = new RoleChange(Role.STARTING, Role.STARTING, 0, "started");
    private long nextRetentionNanos;
    /** The settings the last retention round ran with; a change (an operator lowered a bound) runs one at once. */
    private ClusterSettings prunedWith;
    private boolean closed;

    public DutyRunner(List<Duty> duties, String nodeId, WriteGate gate, CommandEnv env,
                      Supplier<ClusterSettings> clusterSettings, Retention retention, MeterRegistry metrics) {
        this.duties = List.copyOf(duties);
        this.nodeId = nodeId;
        this.gate = gate;
        this.env = env;
        this.clusterSettings = clusterSettings;
        this.retention = retention;
        this.metrics = new DutyMetrics(metrics, this.duties, running::containsKey);
        thread.execute(() -> MDC.put("node", nodeId));
        fence.execute(() -> MDC.put("node", nodeId));
    }

    /** Starts ticking against ZooKeeper through {@code client}, which the node has connected. */
    public void start(CuratorFramework zkClient, ZkPaths zkPaths) {
        thread.execute(() -> {
            this.client = zkClient;
            this.paths = zkPaths;
            this.store = new DutyStore(zkClient, zkPaths, nodeId);
        });
        thread.scheduleWithFixedDelay(() -> safely(this::tick), TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
        fence.scheduleWithFixedDelay(this::guard, FENCE_MS, FENCE_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void roleChanged(RoleChange change) {
        placed = change;
        try {
            fence.execute(this::guard); // stop what the new role may not run without waiting for the next round
            thread.execute(() -> {
                MDC.put("epoch", Long.toString(change.epoch()));
                records.clear(); // another primary may have written meanwhile: read afresh when primary again
                if (change.to() == Role.PRIMARY) {
                    nextRetentionNanos = System.nanoTime();
                }
            });
        } catch (RejectedExecutionException e) {
            log.debug("role change after the duties stopped");
        }
    }

    private DutyRules.Standing standing() {
        RoleChange now = placed;
        boolean primary = now.to() == Role.PRIMARY;
        long gateEpoch = gate.admit() instanceof WriteGate.Verdict.Open open ? open.epoch() : 0;
        return new DutyRules.Standing(primary, primary ? now.epoch() : 0, gateEpoch);
    }

    // ---- fence thread ----

    private void guard() {
        DutyRules.Standing standing = standing();
        long now = System.nanoTime();
        for (Running r : running.values()) {
            if (r.stoppedAs != DutyRun.Outcome.INTERRUPTED && DutyRules.mustStop(standing, r.run.epoch())) {
                r.stoppedWhy = "this node may no longer run duties of epoch " + r.run.epoch() + " (" + (standing.mayRun()
                        ? "now primary of epoch " + standing.epoch() : standing.whyNot()) + ")";
                r.stoppedAs = DutyRun.Outcome.INTERRUPTED;
                log.warn("duty {}: killing run {}: {}", r.duty.name(), r.run.runId(), r.stoppedWhy);
                r.process.kill();
            } else if (r.stoppedAs == null && now - r.deadlineNanos > 0) {
                r.stoppedWhy = "timed out after " + r.duty.timeoutMs() + " ms";
                r.stoppedAs = DutyRun.Outcome.TIMED_OUT;
                r.termSentNanos = now;
                log.warn("duty {}: run {} {}: SIGTERM, SIGKILL in {} s", r.duty.name(), r.run.runId(), r.stoppedWhy,
                        GRACE.toSeconds());
                r.process.signalTerm();
            } else if (r.termSentNanos != 0 && now - r.termSentNanos > GRACE.toNanos()) {
                r.process.kill();
            }
        }
    }

    // ---- duties thread ----

    private void tick() throws Exception {
        if (store == null || closed) {
            return;
        }
        DutyRules.Standing standing = standing();
        long now = System.currentTimeMillis();
        for (Duty duty : duties) {
            DutyStore.Versioned current = records.containsKey(duty.name()) ? records.get(duty.name()) : null;
            boolean known = records.containsKey(duty.name());
            if (standing.mayRun() && !known) {
                current = store.read(duty.name()).orElse(null);
                records.put(duty.name(), current);
            }
            DutyRules.Verdict verdict = DutyRules.decide(standing, current == null ? null : current.record(),
                    duty.schedule().lastSlotAtOrBefore(now), running.containsKey(duty.name()), now);
            if (verdict instanceof DutyRules.Verdict.Register) {
                records.put(duty.name(), store.register(duty.name(), now));
                log.info("duty {} registered (schedule '{}', next slot {})", duty.name(), duty.schedule(),
                        Instant.ofEpochMilli(duty.schedule().nextSlotAfter(now)));
            } else if (verdict instanceof DutyRules.Verdict.Start start) {
                begin(duty, current, start, standing.epoch());
            }
        }
        ClusterSettings settings = clusterSettings.get();
        if (standing.mayRun() && (System.nanoTime() - nextRetentionNanos >= 0 || !settings.equals(prunedWith))) {
            nextRetentionNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RETENTION_EVERY_MS);
            prunedWith = settings;
            retention.prune(client, paths, settings, standing.epoch());
        }
    }

    private void begin(Duty duty, DutyStore.Versioned current, DutyRules.Verdict.Start start, long runEpoch)
            throws Exception {
        DutyRun run = DutyRun.started(duty.name(), nodeId, runEpoch, start.slotMs(), System.currentTimeMillis(),
                start.reason());
        try {
            records.put(duty.name(), store.start(current, run));
        } catch (DutyStore.FenceLostException e) {
            log.warn("duty {}: not started, fenced off: {}", duty.name(), e.getMessage());
            return;
        } catch (org.apache.zookeeper.KeeperException.BadVersionException e) {
            records.remove(duty.name()); // changed since read: decide again on a fresh read
            return;
        }
        if (!gate.stillOpen(runEpoch)) {
            finish(duty, run, DutyRun.Outcome.INTERRUPTED, null, "lost the write gate of epoch " + runEpoch
                    + " between recording the start and starting the process");
            return;
        }
        ProcessGroup process;
        try {
            process = ProcessGroup.start("duty " + duty.name(), duty.command(), env.forCommand(true, Map.of(
                    CommandEnv.EVENT, "duty", CommandEnv.ROLE, Role.PRIMARY.name(), CommandEnv.EPOCH,
                    Long.toString(runEpoch), "UNDERSTUDY_DUTY", duty.name(), "UNDERSTUDY_DUTY_RUN", run.runId(),
                    "UNDERSTUDY_DUTY_SLOT", Instant.ofEpochMilli(run.slotMs()).toString())),
                    nodeId, LoggerFactory.getLogger("duty." + duty.name()), () -> runEpoch);
        } catch (IOException e) {
            finish(duty, run, DutyRun.Outcome.NOT_STARTED, null, "could not start: " + e.getMessage());
            return;
        }
        Running r = new Running(duty, run, process);
        running.put(duty.name(), r);
        log.info("duty {}: run {} started, pid {} ({})", duty.name(), run.runId(), process.pid(), run.reason());
        process.onExit().thenAccept(code -> enqueue(() -> exited(r, code)));
    }

    private void exited(Running r, int code) throws Exception {
        if (!running.remove(r.duty.name(), r)) {
            return; // close() has recorded it
        }
        DutyRun.Outcome outcome = r.stoppedAs != null ? r.stoppedAs
                : code == 0 ? DutyRun.Outcome.SUCCEEDED : DutyRun.Outcome.FAILED;
        String why = r.stoppedWhy != null ? r.stoppedWhy + ", exit code " + code : "exit code " + code;
        finish(r.duty, r.run, outcome, code, why);
    }

    private void finish(Duty duty, DutyRun run, DutyRun.Outcome outcome, Integer code, String why) throws Exception {
        long now = System.currentTimeMillis();
        DutyRun ended = run.ended(now, outcome, code, why + " after " + (now - run.startedAtMs()) + " ms");
        log.info("duty {}: run {} {}: {}", duty.name(), run.runId(), outcome, ended.reason());
        metrics.ended(ended);
        records.remove(duty.name());
        store.end(ended).ifPresent(v -> records.put(duty.name(), v));
    }

    private void enqueue(ThrowingRunnable work) {
        try {
            thread.execute(() -> safely(work));
        } catch (RejectedExecutionException e) {
            log.debug("duty event after the duties stopped");
        }
    }

    private void safely(ThrowingRunnable work) {
        try {
            work.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception | AssertionError e) {
            log.warn("duties: {}; trying again on the next tick", e.toString());
            records.clear();
        }
    }

    /**
     * Stops every run going on here (SIGTERM, SIGKILL after {@link #GRACE}) and records it as interrupted, so the
     * next primary runs it again; call while the node still holds its epoch, before it leaves the cluster.
     */
    @Override
    public void close() throws InterruptedException {
        fence.shutdownNow();
        enqueue(() -> {
            closed = true;
            for (Running r : List.copyOf(running.values())) {
                r.stoppedAs = DutyRun.Outcome.INTERRUPTED;
                r.stoppedWhy = "node stopping";
                r.process.terminate(GRACE);
                running.remove(r.duty.name(), r);
                finish(r.duty, r.run, DutyRun.Outcome.INTERRUPTED, null, "node stopping");
            }
        });
        thread.shutdown();
        if (!thread.awaitTermination(GRACE.toMillis() + 10_000, TimeUnit.MILLISECONDS)) {
            thread.shutdownNow();
            running.values().forEach(r -> r.process.kill());
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }
}
