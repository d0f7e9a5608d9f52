package io.understudy.node.supervise;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.understudy.cluster.Role;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Starts the application ({@code app.command}) when the node's side wants it ({@link SupervisionSettings#wanted}),
 * starts it again with back-off ({@link RestartPolicy}) when it exits by itself, and stops it (SIGTERM, then
 * SIGKILL to its process group after {@code app.stopGraceMs}) when the side no longer wants it or the node stops.
 * Its output goes to the node's log under the logger {@code app}.
 *
 * <p>One thread of its own ({@code app-supervisor}) owns every field below; role changes and exits are queued
 * onto it, so the node's event thread never waits for the application, and a stop that takes its whole grace
 * only delays the next start. A ZooKeeper blip that shuts the write gate but keeps the role does not touch the
 * application: traffic is fenced by the gate, not by stopping processes.
 */
public final class AppSupervisor implements RoleChange.Observer, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AppSupervisor.class);
    private static final Logger appLog = LoggerFactory.getLogger("app");

    private final SupervisionSettings settings;
    private final CommandEnv env;
    private final String nodeId;
    private final ScheduledExecutorService thread;
    private final Counter restarts;
    // Owned by the supervisor's thread.
    private Role role = Role.STARTING;
    private volatile long epoch;
    private ProcessGroup running;
    private ScheduledFuture<?> pendingStart;
    private int failures;
    private boolean closed;

    public AppSupervisor(SupervisionSettings settings, CommandEnv env, String nodeId, MeterRegistry metrics) {
        this.settings = settings;
        this.env = env;
        this.nodeId = nodeId;
        this.thread = Threads.eventThread("app-supervisor");
        thread.execute(() -> MDC.put("node", nodeId));
        this.restarts = Counter.builder("understudy.app.restarts")
                .description("starts of the supervised application after it exited by itself").register(metrics);
        Gauge.builder("understudy.app.running", this, s -> s.isRunning() ? 1 : 0)
                .description("1 while the supervised application's process runs on this node").register(metrics);
    }

    private boolean isRunning() {
        ProcessGroup p = running;
        return p != null && p.isAlive();
    }

    @Override
    public void roleChanged(RoleChange change) {
        enqueue(() -> {
            role = change.to();
            epoch = change.epoch();
            MDC.put("epoch", Long.toString(epoch));
            reconcile("role " + change.from() + " -> " + change.to());
        });
    }

    private void enqueue(Runnable work) {
        try {
            thread.execute(() -> {
                try {
                    work.run();
                } catch (RuntimeException e) {
                    log.error("application supervision failed; will act on the next event", e);
                }
            });
        } catch (RejectedExecutionException e) {
            log.debug("ignoring an application event after the node stopped");
        }
    }

    private void reconcile(String why) {
        boolean wanted = !closed && settings.wanted(Side.of(role));
        if (wanted && running == null && pendingStart == null) {
            start(why);
        } else if (!wanted) {
            if (pendingStart != null) {
                pendingStart.cancel(false);
                pendingStart = null;
            }
            failures = 0;
            if (running != null) {
                stop(why);
            }
        }
    }

    private void start(String why) {
        try {
            ProcessGroup started = ProcessGroup.start("app", settings.command(), env.forCommand(false, Map.of(
                    CommandEnv.EVENT, "app", CommandEnv.ROLE, role.name(), CommandEnv.EPOCH, Long.toString(epoch))),
                    nodeId, appLog, () -> epoch);
            running = started;
            log.info("application started, pid {} ({}, runOn={})", started.pid(), why, settings.runOn());
            started.onExit().thenAccept(code -> enqueue(() -> exited(started, code)));
        } catch (IOException e) {
            log.error("cannot start the application ({}): {}", settings.command(), e.getMessage());
            failures++;
            scheduleStart(e.getMessage());
        }
    }

    private void exited(ProcessGroup which, int code) {
        if (which != running) {
            return; // stopped on purpose; stop() has logged it
        }
        running = null;
        failures = RestartPolicy.failuresAfterExit(failures, which.ranForMillis(), settings.restartBackoffMs());
        if (!closed && settings.wanted(Side.of(role))) {
            log.warn("application (pid {}) exited with code {} after {} ms", which.pid(), code, which.ranForMillis());
            scheduleStart("exit code " + code);
        }
    }

    private void scheduleStart(String after) {
        long delay = RestartPolicy.delayMillis(failures, settings.restartBackoffMs());
        log.info("starting the application again in {} ms (exit {} in a row)", delay, failures);
        pendingStart = thread.schedule(() -> {
            pendingStart = null;
            restarts.increment();
            reconcile("restart after " + after);
        }, delay, TimeUnit.MILLISECONDS);
    }

    private void stop(String why) {
        ProcessGroup p = running;
        running = null;
        log.info("stopping the application, pid {} ({}); SIGKILL after {} ms", p.pid(), why, settings.stopGraceMs());
        try {
            int code = p.terminate(Duration.ofMillis(settings.stopGraceMs()));
            log.info("application stopped (exit code {})", code);
        } catch (InterruptedException e) {
            p.kill();
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the application (blocking up to its grace) and the supervisor. */
    @Override
    public void close() throws InterruptedException {
        enqueue(() -> {
            closed = true;
            reconcile("node stopping");
        });
        thread.shutdown();
        if (!thread.awaitTermination(settings.stopGraceMs() + 5000, TimeUnit.MILLISECONDS)) {
            thread.shutdownNow();
            ProcessGroup p = running;
            if (p != null) {
                p.kill();
            }
        }
    }
}
