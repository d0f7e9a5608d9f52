package io.understudy.node.appfiles;

import io.understudy.cluster.config.ConfigException;
import io.understudy.cluster.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The node's file replication settings (keys {@code app.files*}), validated at start.
 *
 * @param dir            {@code app.filesDir}: the application's file directory, replicated to the same directory on
 *                       every secondary; unset (the default) replicates no directory
 * @param quietMs        {@code app.filesQuietMs} (default 500): a changed file is captured once it has been left
 *                       alone this long, so a file still being written is not captured half-way over and over
 * @param scanIntervalMs {@code app.filesScanIntervalMs} (default 10000): how often the whole directory is compared
 *                       with the table, the safety net for change events the operating system dropped; also the
 *                       longest a file that never stays quiet waits before it is captured anyway
 * @param flushTimeoutMs {@code app.filesFlushTimeoutMs} (default 60000): how long a flush (the gateway's write
 *                       barrier) waits for the capture before it fails
 */
public record AppFilesSettings(Optional<Path> dir, long quietMs, long scanIntervalMs, long flushTimeoutMs) {

    /** Keys this record reads; the node's key list includes them. */
    public static final List<String> KEYS = List.of("app.filesDir", "app.filesQuietMs", "app.filesScanIntervalMs",
            "app.filesFlushTimeoutMs");

    public static final AppFilesSettings NONE = new AppFilesSettings(Optional.empty(), 500, 10_000, 60_000);

    public static AppFilesSettings from(Settings s) {
        Path dir = s.path("app.filesDir", null);
        if (dir != null && Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new ConfigException(s.source(), "app.filesDir", "is not a directory: " + dir);
        }
        return new AppFilesSettings(
                Optional.ofNullable(dir).map(Path::toAbsolutePath).map(Path::normalize),
                s.longValue("app.filesQuietMs", 500, 0, 600_000),
                s.longValue("app.filesScanIntervalMs", 10_000, 1000, 24L * 3600 * 1000),
                s.longValue("app.filesFlushTimeoutMs", 60_000, 100, 3600_000));
    }

    public boolean enabled() {
        return dir.isPresent();
    }
}
