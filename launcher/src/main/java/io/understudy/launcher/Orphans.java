package io.understudy.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pid files of the appliance's child JVMs under {@code <data>/run}, so a restart after the
 * appliance was killed can stop children that are still winding down (they exit by themselves
 * when the appliance dies, see {@link ParentWatch}, but may still hold their ports).
 */
final class Orphans {

    private static final Logger LOG = LoggerFactory.getLogger(Orphans.class);
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);

    private Orphans() {
    }

    static void record(Path runDir, ChildProcess child) {
        try {
            Files.createDirectories(runDir);
            Files.writeString(runDir.resolve(child.name() + ".pid"), child.pid() + "\n", StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the pid file of " + child.name(), e);
        }
    }

    /**
     * Stops every process named by a pid file in {@code runDir} that is still alive and still runs
     * one of this appliance's config files; deletes the pid files. Call with the data dir locked.
     */
    static void reap(Path runDir, Path confDir) {
        if (!Files.isDirectory(runDir)) {
            return;
        }
        try (Stream<Path> files = Files.list(runDir)) {
            for (Path pidFile : files.filter(f -> f.toString().endsWith(".pid")).toList()) {
                String name = pidFile.getFileName().toString().replace(".pid", "");
                readPid(pidFile).flatMap(ProcessHandle::of)
                        .filter(p -> isOurs(p, confDir))
                        .ifPresent(p -> stop(name, p));
                Files.delete(pidFile);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read pid files in " + runDir, e);
        }
    }

    static Optional<Long> readPid(Path pidFile) throws IOException {
        try {
            return Optional.of(Long.parseLong(Files.readString(pidFile, StandardCharsets.US_ASCII).trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static boolean isOurs(ProcessHandle process, Path confDir) {
        List<String> args = process.info().arguments().map(List::of).orElse(List.of());
        return process.isAlive() && args.stream().anyMatch(a -> a.startsWith(confDir.toString()));
    }

    private static void stop(String name, ProcessHandle process) {
        LOG.warn("{} (pid {}) is still running from an appliance that did not shut down cleanly; stopping it", name, process.pid());
        process.destroy();
        try {
            process.onExit().get(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            process.destroyForcibly();
            process.onExit().join();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping " + name, e);
        }
    }
}
