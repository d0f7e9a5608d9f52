package io.understudy.node.hooks;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.understudy.cluster.Role;
import io.understudy.node.supervise.CommandEnv;
import io.understudy.node.supervise.ProcessGroup;
import io.understudy.node.supervise.RoleChange;
import io.understudy.node.supervise.Threads;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs the role hooks, one at a time, in the order of the role changes, on a thread of its own ({@code hooks}):
 * the node's event thread only hands a change over, so no role transition waits for a hook.
 *
 * <p>The newest role change wins, as with Patroni's callbacks: every change supersedes the hook that is running
 * (its process group gets SIGTERM, then SIGKILL {@link #KILL_GRACE} later) and any hook still waiting, even when
 * the change fires no hook of its own, because a hook about a role the node no longer has can only do harm. So
 * hooks never run at the same time and an older one never runs after a newer one. A hook that outlives
 * {@code hooks.timeoutMs} is stopped the same way. Each hook's output lines go to the node's log under
 * {@code hook.<name>}; its exit code, and whether it was superseded or timed out, are logged and counted in
 * {@code understudy_hook_runs_total{hook,outcome}}.
 */
public final class HookRunner implements RoleChange.Observer, AutoCloseable {

    static final Duration KILL_GRACE = Duration.ofSeconds(2);
    private static final Logger log = LoggerFactory.getLogger(HookRunner.class);
    private static final long POLL_MS = 20;

    private final HookSettings settings;
    private final CommandEnv env;
    private final String nodeId;
    private final MeterRegistry metrics;
    private final ScheduledExecutorService thread;
    /** Number of the newest role change; a hook runs only while its own number is the newest. */
    private final AtomicLong newest = new AtomicLong();
    private volatile RoleChange last = new RoleChange(Role.STARTING, Role.STARTING, 0, "started");

    public HookRunner(HookSettings settings, CommandEnv env, String nodeId, MeterRegistry metrics) {
        this.settings = settings;
        this.env = env;
        this.nodeId = nodeId;
        this.metrics = metrics;
        this.thread = Threads.eventThread("hooks");
        thread.execute(() -> MDC.put("node", nodeId));
    }

    /** On the node's event thread: supersedes what runs, queues the hook this change fires. Never blocks. */
    @Override
    public void roleChanged(RoleChange change) {
        last = change;
        long number = newest.incrementAndGet();
        Hook.firedBy(change.from(), change.to())
                .ifPresent(hook -> submit(new Job(hook, change.to().name(), change.from().name(), change.epoch(),
                        change.reason(), number)));
    }

    private record Job(Hook hook, String role, String previousRole, long epoch, String reason, long number) {
    }

    private void submit(Job job) {
        if (settings.command(job.hook()) == null) {
            return;
        }
        try {
            thread.execute(() -> run(job));
        } catch (RejectedExecutionException e) {
            log.debug("hook {} not run: the node is stopping", job.hook().key());
        }
    }

    private void run(Job job) {
        String name = job.hook().key();
        if (newest.get() != job.number()) {
            log.info("hook {} skipped: a newer role change superseded it before it started", name);
            count(job.hook(), "superseded");
            return;
        }
        MDC.put("epoch", Long.toString(job.epoch()));
        ProcessGroup p;
        try {
            p = ProcessGroup.start("hook " + name, settings.command(job.hook()), env.forCommand(true, Map.of(
                    CommandEnv.EVENT, name, CommandEnv.ROLE, job.role(), CommandEnv.PREVIOUS_ROLE, job.previousRole(),
                    CommandEnv.EPOCH, Long.toString(job.epoch()), CommandEnv.REASON, job.reason())),
                    nodeId, LoggerFactory.getLogger("hook." + name), job::epoch);
        } catch (IOException e) {
            log.error("hook {} could not start: {}", name, e.getMessage());
            count(job.hook(), "not_started");
            return;
        }
        log.info("hook {} started, pid {} ({} -> {}, epoch {})", name, p.pid(), job.previousRole(), job.role(), job.epoch());
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.timeoutMs());
        try {
            while (true) {
                try {
                    int code = p.onExit().get(POLL_MS, TimeUnit.MILLISECONDS);
                    log.info("hook {} exited with code {} after {} ms", name, code, p.ranForMillis());
                    count(job.hook(), code == 0 ? "succeeded" : "failed");
                    return;
                } catch (TimeoutException stillRunning) {
                    if (newest.get() != job.number()) {
                        log.warn("hook {} superseded by a newer role change after {} ms: stopping it", name, p.ranForMillis());
                        stop(p, job.hook(), "superseded");
                        return;
                    }
                    if (System.nanoTime() - deadline > 0) {
                        log.warn("hook {} timed out after {} ms (hooks.timeoutMs): stopping its process group", name,
                                settings.timeoutMs());
                        stop(p, job.hook(), "timed_out");
                        return;
                    }
                }
            }
        } catch (InterruptedException e) {
            p.kill();
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            log.error("hook {}: {}", name, e.getCause().toString());
        }
    }

    private void stop(ProcessGroup p, Hook hook, String outcome) throws InterruptedException {
        int code = p.terminate(KILL_GRACE);
        log.info("hook {} stopped (exit code {})", hook.key(), code);
        count(hook, outcome);
    }

    private void count(Hook hook, String outcome) {
        Counter.builder("understudy.hook.runs").tag("hook", hook.key()).tag("outcome", outcome)
                .description("role hook runs by outcome").register(metrics).increment();
    }

    /**
     * Supersedes any running hook, runs onStop (if set) with {@code UNDERSTUDY_ROLE=STOPPED} and the last role as
     * the previous one, and waits for it up to {@code hooks.timeoutMs} plus the kill grace. Call once the node
     * has left the cluster.
     */
    @Override
    public void close() throws InterruptedException {
        RoleChange before = last;
        long number = newest.incrementAndGet();
        submit(new Job(Hook.ON_STOP, "STOPPED", before.to().name(), before.epoch(), "node stopping", number));
        thread.shutdown();
        if (!thread.awaitTermination(settings.timeoutMs() + KILL_GRACE.toMillis() + 1000, TimeUnit.MILLISECONDS)) {
            thread.shutdownNow();
        }
    }
}
