package io.understudy.node.appfiles;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.understudy.node.store.Database;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replication of the application's file directory ({@code app.filesDir}): on the primary its changes are captured
 * into replicated tables, on a secondary the directory is made to match them (see docs/file-replication.md). One
 * worker thread does all the file and database work; the node's role transitions only switch the {@link Mode}, and
 * the replicator's and the watch's callbacks only wake the worker. Thread-safe.
 */
public final class AppFiles implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AppFiles.class);
    private static final long RETRY_MS = 1000;

    /** What the node does with its files directory. */
    public enum Mode {
        /** Neither: the node is starting, demoted, or settling its directory for a promotion. */
        IDLE,
        /** Primary: changes of the directory are captured into the file tables. */
        CAPTURING,
        /** Secondary: the directory is made to match the replicated file tables. */
        MATERIALISING
    }

    /** A flush that could not capture what it was asked to: the write it guards must not be acknowledged. */
    public static final class FlushException extends Exception {
        public FlushException(String message) {
            super(message);
        }
    }

    private final Path dir;
    private final AppFilesSettings settings;
    private final FilesCounters counters = new FilesCounters();
    private final Capturer capturer;
    private final Materialiser materialiser;
    private final Object monitor = new Object();
    private final ArrayDeque<Runnable> commands = new ArrayDeque<>();
    private final List<CompletableFuture<Void>> flushes = new ArrayList<>();
    private final Thread worker;
    private boolean woken;
    private boolean closed;
    private volatile Mode mode = Mode.IDLE;
    private volatile long epoch;
    private volatile String lastError;

    private AppFiles(AppFilesSettings settings, Database db, Path dataDir) {
        this.dir = settings.dir().orElseThrow();
        this.settings = settings;
        LocalDisk disk = new LocalDisk(dir);
        this.capturer = new Capturer(disk, db, settings, counters, this::wake);
        this.materialiser = new Materialiser(disk, db, settings, dataDir.resolve("quarantine-files"), counters);
        this.worker = new Thread(this::run, "app-files");
        worker.setDaemon(true);
    }

    /** Starts idle, for {@code settings.dir()} (created if missing). */
    public static AppFiles start(AppFilesSettings settings, Database db, Path dataDir) throws IOException {
        Path dir = settings.dir().orElseThrow(() -> new IllegalArgumentException("app.filesDir is not set"));
        Files.createDirectories(dir);
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            throw new IOException("app.filesDir " + dir + " is not a writable directory");
        }
        AppFiles files = new AppFiles(settings, db, dataDir);
        files.worker.start();
        log.info("replicating the files directory {}", dir);
        return files;
    }

    public Mode mode() {
        return mode;
    }

    // ---- role changes (the node's event thread) ----

    /** As primary of {@code epoch}: captures every change of the directory, starting with a full comparison. */
    public void capture(long epoch) {
        transition(Mode.CAPTURING, epoch, "primary of epoch " + epoch);
        submit(() -> capturer.begin(epoch, () -> mode == Mode.CAPTURING && this.epoch == epoch));
    }

    /** As secondary: makes the directory match the replicated tables, starting with a full comparison. */
    public void materialise(String why) {
        transition(Mode.MATERIALISING, 0, why);
        submit(() -> {
            capturer.close();
            materialiser.begin(() -> mode == Mode.MATERIALISING);
        });
    }

    /** Stops capturing or materialising (an unfinished capture is abandoned, invisible). */
    public void idle(String why) {
        transition(Mode.IDLE, 0, why);
        submit(capturer::close);
    }

    /**
     * For a promotion, after the stream was drained: stops materialising and makes the directory match the table
     * completely, waiting for it up to {@code patience}.
     *
     * @throws IOException when that failed or took too long: a node whose directory is not in order must not
     *                     become primary (it would capture the differences as the application's changes)
     */
    public void settle(Duration patience) throws IOException, InterruptedException {
        transition(Mode.IDLE, 0, "settling the directory for a promotion");
        CompletableFuture<Void> settled = new CompletableFuture<>();
        submit(() -> {
            capturer.close();
            try {
                materialiser.settle();
                settled.complete(null);
            } catch (Exception e) {
                settled.completeExceptionally(e);
            }
        });
        try {
            settled.get(patience.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IOException("the files directory was not in order within " + patience.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw new IOException("the files directory could not be put in order: " + e.getCause().getMessage(), e.getCause());
        }
    }

    // ---- callbacks (any thread) ----

    /** The replicator applied a transaction: the tables may hold new versions. */
    public void onApplied() {
        if (mode == Mode.MATERIALISING) {
            wake();
        }
    }

    /**
     * Captures every change of the directory made before this call, now, as primary of {@code epoch}: the write
     * barrier of a request that may have written files, called after the application answered and before the
     * answer is relayed. Concurrent flushes share one pass.
     *
     * @throws FlushException if this node does not capture for {@code epoch}, or the capture failed or timed out
     */
    public void flush(long epoch) throws FlushException, InterruptedException {
        if (mode != Mode.CAPTURING || this.epoch != epoch) {
            throw new FlushException("files are not captured here for epoch " + epoch + " (" + mode + ")");
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        synchronized (monitor) {
            flushes.add(done);
            monitor.notifyAll();
        }
        try {
            done.get(settings.flushTimeoutMs(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new FlushException("the files were not captured within " + settings.flushTimeoutMs() + " ms");
        } catch (ExecutionException e) {
            throw new FlushException("the files could not be captured: " + e.getCause().getMessage());
        }
    }

    // ---- status ----

    /** For {@code GET /health}. */
    public Map<String, Object> status() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("dir", dir.toString());
        out.put("mode", mode.name());
        counters.describe(out);
        out.put("lastError", lastError);
        return out;
    }

    public void bindMetrics(MeterRegistry registry) {
        counters.bind(registry);
        for (Mode m : Mode.values()) {
            Gauge.builder("understudy.files.mode", () -> mode == m ? 1 : 0).tag("mode", m.name())
                    .description("1 for what the node does with its files directory").register(registry);
        }
    }

    // ---- worker ----

    private void transition(Mode next, long nextEpoch, String reason) {
        Mode from;
        synchronized (monitor) {
            from = mode;
            epoch = nextEpoch;
            mode = next;
        }
        log.info("files: {} -> {} ({})", from, next, reason);
    }

    private void submit(Runnable command) {
        synchronized (monitor) {
            commands.add(command);
            monitor.notifyAll();
        }
    }

    private void wake() {
        synchronized (monitor) {
            woken = true;
            monitor.notifyAll();
        }
    }

    private void run() {
        long retryMs = RETRY_MS;
        while (true) {
            List<Runnable> todo;
            synchronized (monitor) {
                if (closed) {
                    break;
                }
                todo = new ArrayList<>(commands);
                commands.clear();
            }
            for (Runnable command : todo) {
                try {
                    command.run();
                } catch (RuntimeException e) {
                    log.error("files: a role change failed; the next pass starts over", e);
                }
            }
            List<CompletableFuture<Void>> batch = takeFlushes();
            long wakeAt;
            try {
                wakeAt = pass(batch);
                batch.forEach(f -> f.complete(null));
                lastError = null;
                retryMs = RETRY_MS;
            } catch (Exception | AssertionError e) {
                String error = e.toString();
                if (!error.equals(lastError)) {
                    log.warn("files {}: {}; trying again", mode, error);
                }
                lastError = error;
                batch.forEach(f -> f.completeExceptionally(e));
                wakeAt = System.currentTimeMillis() + retryMs;
                retryMs = Math.min(retryMs * 2, 30_000);
            }
            await(wakeAt);
        }
        capturer.close();
        takeFlushes().forEach(f -> f.completeExceptionally(new IllegalStateException("node stopping")));
    }

    private long pass(List<CompletableFuture<Void>> batch) throws Exception {
        long capturingEpoch = epoch;
        return switch (mode) {
            case CAPTURING -> {
                long wakeAt = capturer.pass(!batch.isEmpty());
                if (!batch.isEmpty() && (mode != Mode.CAPTURING || epoch != capturingEpoch)) {
                    throw new IllegalStateException("stopped capturing during the flush");
                }
                yield wakeAt;
            }
            case MATERIALISING -> {
                failAll(batch);
                yield materialiser.pass();
            }
            case IDLE -> {
                failAll(batch);
                yield Long.MAX_VALUE;
            }
        };
    }

    private static void failAll(List<CompletableFuture<Void>> batch) {
        batch.forEach(f -> f.completeExceptionally(new IllegalStateException("files are not captured here")));
        batch.clear();
    }

    private List<CompletableFuture<Void>> takeFlushes() {
        synchronized (monitor) {
            List<CompletableFuture<Void>> batch = new ArrayList<>(flushes);
            flushes.clear();
            return batch;
        }
    }

    private void await(long wakeAtMs) {
        synchronized (monitor) {
            while (!woken && !closed && commands.isEmpty() && flushes.isEmpty()) {
                long left = wakeAtMs - System.currentTimeMillis();
                if (left <= 0) {
                    break;
                }
                try {
                    monitor.wait(Math.min(left, 60_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            woken = false;
        }
    }

    @Override
    public void close() {
        transition(Mode.IDLE, 0, "node stopping");
        synchronized (monitor) {
            closed = true;
            monitor.notifyAll();
        }
        try {
            worker.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
