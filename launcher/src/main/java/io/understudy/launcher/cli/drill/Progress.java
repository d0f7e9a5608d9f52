package io.understudy.launcher.cli.drill;

import io.understudy.workload.History;
import io.understudy.workload.Op;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The drill's running commentary: a line per second with what the client sees, and a line for each
 * step as it happens, each stamped with the time since the load started. Thread-safe.
 */
final class Progress implements AutoCloseable {

    private final PrintWriter out;
    private final History history;
    private final long startNanos;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "drill-progress");
        thread.setDaemon(true);
        return thread;
    });
    private volatile String cluster = "";

    Progress(PrintWriter out, History history, long startNanos) {
        this.out = out;
        this.history = history;
        this.startNanos = startNanos;
    }

    void start() {
        ticker.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    /** What the switch says about the cluster now, for the next line. */
    void cluster(String summary) {
        cluster = summary;
    }

    /** A step, printed at once. */
    void note(String text) {
        note(System.nanoTime(), text);
    }

    /** A step that happened at {@code atNanos}, printed now. */
    synchronized void note(long atNanos, String text) {
        out.printf(Locale.ROOT, "  t=%6.1fs  %s%n", (atNanos - startNanos) / 1e9, text);
        out.flush();
    }

    private void tick() {
        List<Op> ops = history.snapshot();
        long writesOk = ops.stream().filter(op -> op.isWrite() && op.acked()).count();
        long writesFailed = ops.stream().filter(op -> op.isWrite() && !op.acked()).count();
        long readsOk = ops.stream().filter(op -> !op.isWrite() && op.acked()).count();
        long readsFailed = ops.stream().filter(op -> !op.isWrite() && !op.acked()).count();
        note(String.format(Locale.ROOT, "writes %d acknowledged, %d failed, %d waiting | reads %d ok, %d not | %s", writesOk,
                writesFailed, history.inFlight(), readsOk, readsFailed, cluster));
    }

    @Override
    public void close() {
        ticker.shutdownNow();
    }
}
