package io.understudy.launcher;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the appliance's child processes running, as a service manager would: a child that exits without being asked
 * to is started again after the {@link RestartPolicy}'s back-off, each restart logged with its reason, unless a restart
 * cannot help (a refused configuration, a removed node: {@link #gaveUp}). Before a restart is scheduled, the child's
 * own clean-up runs ({@code afterExit}: a node's ZooKeeper session is ended at once). Thread-safe; exits are handled
 * on pool threads, restarts on one timer thread.
 */
final class Supervisor implements AutoCloseable {

    /** Starts one child process, telling {@code onUnexpectedExit} if it exits without being asked to. */
    interface Launch {
        ChildProcess start(ChildProcess.ExitListener onUnexpectedExit);
    }

    /** A supervised child: how to start it, what to do after it died, and its current process. */
    private static final class Service {
        final String name;
        final Launch launch;
        final Runnable afterExit;
        ChildProcess process;
        long startedAtNanos;
        Duration lastDelay = Duration.ZERO;
        int inARow;
        int restarts;
        /** Why it is left stopped after it exited, or null while it runs or will be restarted. */
        String gaveUp;

        Service(String name, Launch launch, Runnable afterExit) {
            this.name = name;
            this.launch = launch;
            this.afterExit = afterExit;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);

    private final RestartPolicy policy;
    private final Map<String, Service> services = new LinkedHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "appliance-supervisor");
        thread.setDaemon(true);
        return thread;
    });
    private boolean closed;

    Supervisor(RestartPolicy policy) {
        this.policy = policy;
    }

    /** Starts {@code name} and keeps it under supervision until {@link #stop} or {@link #close}. */
    synchronized ChildProcess start(String name, Launch launch, Runnable afterExit) {
        if (closed) {
            throw new IllegalStateException("the appliance is stopping; not starting " + name);
        }
        if (services.containsKey(name) && services.get(name).process.isAlive()) {
            throw new IllegalStateException(name + " is already running");
        }
        Service service = new Service(name, launch, afterExit);
        services.put(name, service);
        launch(service);
        return service.process;
    }

    /** Under the lock, so an exit reported meanwhile (on another thread) sees the new process as the current one. */
    private void launch(Service service) {
        service.process = service.launch.start((child, code) -> exited(service, child, code));
        service.startedAtNanos = System.nanoTime();
    }

    /** The child's current process, if it is supervised. */
    synchronized Optional<ChildProcess> process(String name) {
        return Optional.ofNullable(services.get(name)).map(s -> s.process);
    }

    synchronized List<ChildProcess> processes() {
        return services.values().stream().map(s -> s.process).toList();
    }

    /** Supervised children left stopped after they exited, with the reason, by name. */
    synchronized Map<String, String> gaveUp() {
        Map<String, String> out = new LinkedHashMap<>();
        services.values().stream().filter(s -> s.gaveUp != null).forEach(s -> out.put(s.name, s.gaveUp));
        return out;
    }

    /** How many times {@code name} was started again since it was first started. */
    synchronized int restarts(String name) {
        Service service = services.get(name);
        return service == null ? 0 : service.restarts;
    }

    /** Takes {@code name} out of supervision and stops it (SIGTERM, then SIGKILL after {@code grace}). */
    void stop(String name, Duration grace) {
        Service service;
        synchronized (this) {
            service = services.remove(name);
        }
        if (service != null) {
            service.process.stop(grace);
        }
    }

    /**
     * Runs on the reaper thread of the child's process. A process that is no longer the service's current one was
     * replaced already (the exit of a stopped or superseded child); nothing to do.
     */
    private void exited(Service service, ChildProcess gone, int exitCode) {
        try {
            service.afterExit.run();
        } catch (RuntimeException e) {
            LOG.warn("after {} exited: {}", service.name, e.toString());
        }
        synchronized (this) {
            if (closed || services.get(service.name) != service || service.process != gone) {
                return;
            }
            Duration ranFor = Duration.ofNanos(System.nanoTime() - service.startedAtNanos);
            String why = "exit code " + exitCode + (exitCode == 137 ? " (SIGKILL)" : "") + " after " + ranFor.toMillis() + " ms";
            RestartPolicy.Verdict verdict = policy.afterExit(ranFor, service.lastDelay, service.inARow, exitCode,
                    service.name.startsWith("node-"));
            if (verdict instanceof RestartPolicy.Verdict.Stay stay) {
                service.gaveUp = why + ": " + stay.reason();
                LOG.warn("{} exited ({}); not restarting: {}", service.name, why, stay.reason());
                return;
            }
            RestartPolicy.Verdict.Restart restart = (RestartPolicy.Verdict.Restart) verdict;
            service.lastDelay = restart.delay();
            service.inARow = restart.inARow();
            LOG.warn("restarting {} in {} ms ({}; exit {} in a row)", service.name, restart.delay().toMillis(), why,
                    restart.inARow());
            timer.schedule(() -> restart(service, gone), restart.delay().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private synchronized void restart(Service service, ChildProcess gone) {
        if (closed || services.get(service.name) != service || service.process != gone) {
            return;
        }
        try {
            launch(service);
            service.restarts++;
            LOG.info("{} started again (pid {}), restart {}", service.name, service.process.pid(), service.restarts);
        } catch (RuntimeException e) {
            LOG.error("cannot start {} again: {}; trying again in {} ms", service.name, e.getMessage(),
                    policy.max().toMillis());
            timer.schedule(() -> restart(service, gone), policy.max().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Stops restarting and stops every child: SIGTERM to all first, then each waited for up to {@code grace}. */
    void stopAll(Duration grace) {
        List<ChildProcess> children;
        synchronized (this) {
            closed = true;
            children = processes();
        }
        timer.shutdownNow();
        children.forEach(ChildProcess::requestStop);
        children.forEach(child -> child.stop(grace));
    }

    @Override
    public void close() {
        stopAll(Duration.ofSeconds(20));
    }
}
