package io.understudy.launcher;

import io.understudy.cluster.config.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node or switch running in its own JVM. Its stdout and stderr go to its log file, and each
 * line is echoed to the console prefixed with {@code [name]} (see {@link LogEcho}). Its stdin stays an open pipe from this
 * process: the child watches it (see {@link ParentWatch}) and exits when it closes, so killing the
 * appliance, even with {@code kill -9}, leaves no orphans. An exit not asked for by {@link #stop}
 * is logged at ERROR with the exit code and reported to the {@link ExitListener} (the {@link Supervisor} restarts it).
 */
public final class ChildProcess {

    private static final Logger LOG = LoggerFactory.getLogger(ChildProcess.class);

    /** Told when a child exits without being asked to; runs on a pool thread, never inside {@link #start}. */
    @FunctionalInterface
    public interface ExitListener {
        void exited(ChildProcess child, int exitCode);
    }

    private final String name;
    private final Process process;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final ExitListener onDeath;

    private ChildProcess(String name, Process process, ExitListener onDeath) {
        this.name = name;
        this.process = process;
        this.onDeath = onDeath;
    }

    /**
     * The command line of a child JVM running {@code UnderstudyCli} with {@code cliArgs}.
     *
     * @param maxHeapMb the child's heap, from the start ({@code -Xms}) as at most ({@code -Xmx}), as the systemd units
     *                  of the Ansible roles give it: a node whose heap started at 32 MB collected its small young
     *                  generation about once a second under load, 40 ms each on the loaded two-core machine, with full
     *                  collections as the heap grew, and the switch in front of it the same; with the whole heap from
     *                  the start the replication bench's writes through the switch doubled (777 to 1,415 a second
     *                  from 16 clients)
     */
    public static List<String> javaCommand(String java, String classpath, int maxHeapMb, String name, List<String> cliArgs) {
        return javaCommand(java, classpath, maxHeapMb, false, name, cliArgs);
    }

    /**
     * @param touchHeapAtStart every page of the heap is touched once when the JVM starts ({@code -XX:+AlwaysPreTouch}):
     *                         on this project's virtual machine the first touch of a page is what a young collection
     *                         paid for, 64-240 ms for a node's first collections against 19-52 ms with its heap touched
     *                         beforehand, and one such pause inside a switchover costs its whole budget. It makes the
     *                         whole heap resident from the start: a node's 384 MB, but the switch would have 280 MB
     *                         resident instead of 180, so it does without (its first collections took 63-105 ms)
     */
    public static List<String> javaCommand(String java, String classpath, int maxHeapMb, boolean touchHeapAtStart, String name,
                                           List<String> cliArgs) {
        List<String> command = new ArrayList<>(List.of(
                java,
                "-Xms" + maxHeapMb + "m",
                "-Xmx" + maxHeapMb + "m",
                // Three child JVMs and the appliance share two cores: serial GC adds no concurrent GC
                // threads, and on heaps this small its pauses are milliseconds, far below the 1.8 s session.
                "-XX:+UseSerialGC",
                // Loading classes past the default 21 MB of metadata triggered a full collection (190-260 ms in a
                // node, 110 ms in the switch), and a node's first promotion loads classes: the first threshold is
                // set above what a node's classes take (about 45 MB).
                "-XX:MetaspaceSize=128m",
                // A JVM that ran out of memory must die visibly rather than limp along holding a lease.
                "-XX:+ExitOnOutOfMemoryError"));
        if (touchHeapAtStart) {
            command.add("-XX:+AlwaysPreTouch");
        }
        command.addAll(List.of("-Dunderstudy.process=" + name, "-cp", classpath, UnderstudyCli.class.getName()));
        command.addAll(cliArgs);
        return command;
    }

    /** The java launcher of this JVM, so children run on the same Java as the appliance. */
    public static String currentJava() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /**
     * Starts the child; its output is appended to {@code logFile}, and {@code onDeath} is told when it exits without
     * being asked to.
     */
    public static ChildProcess start(String name, List<String> command, Path logFile, Path workDir, ExitListener onDeath) {
        try {
            Files.createDirectories(logFile.getParent());
            long offset = Files.exists(logFile) ? Files.size(logFile) : 0;
            // The child writes its log itself: nothing is lost if the appliance stops reading or dies.
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            // Settings lets UNDERSTUDY_<KEY> override a config key: inherited, one such variable
            // would give both nodes the same port. The appliance's config files are the whole truth.
            builder.environment().keySet().removeIf(key -> key.startsWith(Settings.ENV_PREFIX));
            Process process = builder.start();
            ChildProcess child = new ChildProcess(name, process, onDeath);
            LogEcho.start(name, logFile, offset, () -> !process.isAlive());
            process.onExit().thenAcceptAsync(child::exited);
            LOG.info("started {} (pid {}), log {}", name, process.pid(), logFile);
            return child;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + " (" + command.get(0) + ")", e);
        }
    }

    public String name() {
        return name;
    }

    public Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Sends SIGTERM (so the child's shutdown hooks run) without waiting; its exit is then expected. */
    public void requestStop() {
        stopping.set(true);
        process.destroy();
    }

    /**
     * Asks the child to stop if not yet asked, waits up to {@code grace}, then kills it (SIGKILL).
     * Blocks until it is gone; idempotent.
     */
    public void stop(Duration grace) {
        if (!stopping.get()) {
            requestStop();
        }
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("{} (pid {}) did not stop within {} ms; killing it", name, process.pid(), grace.toMillis());
                process.destroyForcibly();
                process.waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private void exited(Process gone) {
        if (stopping.get()) {
            LOG.info("{} (pid {}) stopped with exit code {}", name, gone.pid(), gone.exitValue());
        } else {
            LOG.error("!!! {} (pid {}) DIED with exit code {}{}", name, gone.pid(),
                    gone.exitValue(), gone.exitValue() == 137 ? " (SIGKILL)" : "");
            try {
                onDeath.exited(this, gone.exitValue());
            } catch (RuntimeException e) {
                LOG.warn("after {} died: {}", name, e.toString());
            }
        }
    }
}
