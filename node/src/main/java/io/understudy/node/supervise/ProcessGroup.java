package io.understudy.node.supervise;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.MDC;

/**
 * A shell command the node runs (a hook, the application, a duty run) in a process group of its own, so that it
 * can be stopped whole, and so that it dies with the node.
 *
 * <p>The command runs as {@code setsid -w /bin/sh -c WRAPPER}: the wrapper moves the pipe that is its standard
 * input to a background watchdog, then replaces itself with {@code /bin/sh -c <command>} (so {@link #pid()} is
 * the command's shell and the group's id, and its exit code is the command's). The watchdog ignores SIGTERM and
 * waits for end of file on that pipe, whose only writer is this JVM; then it sends SIGKILL to the whole group.
 * End of file comes when {@link #release()} closes the pipe (after the command exited, or at the end of a
 * stop's grace) or when the node's JVM dies, also by {@code kill -9}: no process of the group outlives its node.
 * A frozen node (SIGSTOP) kills nothing until it runs again, and a process that moves itself into another
 * session or group escapes.
 *
 * <p>Every line the group writes (stdout and stderr) goes to {@code log} at INFO, with the node id and the
 * {@code epoch} in the MDC. Thread-safe.
 */
public final class ProcessGroup {

    /** Longest line logged as it is; longer ones are cut (a binary dumped to stdout must not flood the log). */
    private static final int MAX_LINE = 4000;
    private static final String WRAPPER = String.join("\n",
            "exec 3<&0 0</dev/null",
            "( trap '' TERM INT HUP; while read -r _ <&3; do :; done; kill -KILL 0 ) &",
            "exec 3<&-",
            "exec /bin/sh -c \"$1\"");

    private final String name;
    private final Process process;
    private final long startedNanos = System.nanoTime();

    private ProcessGroup(String name, Process process) {
        this.name = name;
        this.process = process;
    }

    /**
     * Starts {@code command} with exactly {@code env} as its environment.
     *
     * @param name    for log lines and errors, e.g. {@code hook onPrimary}
     * @param epoch   read for every logged line: the epoch the node acts in (MDC {@code epoch})
     * @throws IOException when the process cannot be started (no {@code setsid} or {@code /bin/sh})
     */
    public static ProcessGroup start(String name, String command, Map<String, String> env, String nodeId, Logger log,
                                     java.util.function.LongSupplier epoch) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(List.of("setsid", "-w", "/bin/sh", "-c", WRAPPER, "understudy", command))
                .redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process = builder.start();
        ProcessGroup group = new ProcessGroup(name, process);
        // Like a service manager: what the command leaves behind when it exits goes with it.
        process.onExit().thenRun(group::release);
        Thread pump = new Thread(() -> group.pump(log, nodeId, epoch), name + " output");
        pump.setDaemon(true);
        pump.start();
        return group;
    }

    private void pump(Logger log, String nodeId, java.util.function.LongSupplier epoch) {
        MDC.put("node", nodeId);
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                MDC.put("epoch", Long.toString(epoch.getAsLong()));
                log.info("{}", line.length() > MAX_LINE ? line.substring(0, MAX_LINE) + " [cut]" : line);
            }
        } catch (IOException e) {
            log.debug("{}: output closed: {}", name, e.toString());
        }
    }

    public long pid() {
        return process.pid();
    }

    public String name() {
        return name;
    }

    /** Completes with the command's exit code (128 + n when signal n ended it) once its shell has exited. */
    public CompletableFuture<Integer> onExit() {
        return process.onExit().thenApply(Process::exitValue);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** How long since it started, by the monotonic clock. */
    public long ranForMillis() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    }

    /**
     * SIGKILL to the whole group now, without waiting (the watchdog sends it; the command's shell is also killed
     * directly in case the watchdog is gone). Never blocks: safe on an event thread.
     */
    public void kill() {
        release();
        process.toHandle().destroyForcibly();
    }

    /**
     * SIGTERM to the command and every process under it, without waiting. Through {@link ProcessHandle}:
     * {@link Process#destroy()} would also close the watchdog's pipe, which is SIGKILL at once.
     */
    public void signalTerm() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.toHandle().destroy();
    }

    /**
     * SIGTERM to the command and every process under it, up to {@code grace} for the command to exit, then
     * SIGKILL to the whole group. Blocks up to {@code grace}; returns the exit code.
     */
    public int terminate(Duration grace) throws InterruptedException {
        if (process.isAlive()) {
            signalTerm();
            process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
        }
        kill();
        process.waitFor();
        return process.exitValue();
    }

    /** Closes the watchdog's pipe: whatever is left of the group is killed. Done by itself when the command exits. */
    public void release() {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // already closed: the watchdog has had its end of file
        }
    }
}
