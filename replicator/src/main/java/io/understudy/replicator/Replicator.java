package io.understudy.replicator;

import io.understudy.cluster.Lsn;
import io.understudy.replicator.apply.TargetWriter;
import io.understudy.replicator.capture.ChangeStream;
import io.understudy.replicator.capture.SourceAdmin;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams one source database into the target, one source transaction per local transaction, with the applied
 * position stored in the same local transaction; redelivered transactions are skipped by position. One engine
 * thread does all the work; {@link #status()}, {@link #drain} and {@link #close()} may be called from any thread.
 */
public final class Replicator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Replicator.class);
    private static final Duration STOP_PATIENCE = Duration.ofSeconds(60);
    private static final Duration RECONNECT_FIRST_DELAY = Duration.ofMillis(250);
    private static final Duration RECONNECT_MAX_DELAY = Duration.ofSeconds(5);

    private final ReplicatorConfig config;
    private final DataSource target;
    private final StatusTracker tracker;
    private final ApplySeal seal = new ApplySeal();
    private final DrainLine drainLine;
    private final AtomicBoolean started = new AtomicBoolean();
    private final Object lifecycle = new Object();
    private boolean closing;
    private boolean drained;
    private ChangeStream stream;
    private Thread thread;

    public Replicator(ReplicatorConfig config, DataSource target, ReplicationListener listener) {
        this.config = config;
        this.target = target;
        this.tracker = new StatusTracker(config.name(), listener == null ? ReplicationListener.NONE : listener);
        this.drainLine = new DrainLine(config);
    }

    /** Starts the engine thread and returns at once. May be called once. */
    public void start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("replicator " + config.name() + " cannot be started more than once");
        }
        synchronized (lifecycle) {
            thread = new Thread(this::runEngine, "replicator-" + config.name());
            thread.setDaemon(true);
            thread.start();
        }
        drainLine.openInBackground();
    }

    public ReplicationStatus status() {
        return tracker.status();
    }

    /**
     * Source position up to which the stream has been handled: every source transaction committed
     * before it is applied. Unlike {@link ReplicationStatus#appliedPosition()} it also moves with
     * heartbeats and markers, so on an idle source it stays close to the source's WAL position.
     */
    public long processedPosition() {
        return tracker.processedPosition();
    }

    /**
     * How a {@link #drainAndSeal} ended.
     *
     * @param appliedPosition the applied commit position; nothing is applied after it
     * @param complete        whether everything the source had committed was applied ({@link State#DRAINED})
     * @param stopped         completes once the engine has stopped (its slot on the source is then inactive)
     */
    public record Drain(long appliedPosition, boolean complete, CompletableFuture<Void> stopped) {
    }

    /**
     * Applies everything the source had committed when called, then stops the engine; see {@link #drainAndSeal}.
     * Returns once the engine has stopped.
     *
     * @return the applied commit position
     */
    public long drain(Duration timeout) throws InterruptedException {
        Drain drain = drainAndSeal(timeout);
        try {
            drain.stopped().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("replicator " + config.name() + " did not stop cleanly", e.getCause());
        }
        return drain.appliedPosition();
    }

    /**
     * Applies everything the source had committed when called and seals the stream: with the source reachable, it
     * reads the source's current WAL position and writes a marker transaction there, and waits until the stream has
     * been processed past that position; otherwise it waits for a quiet stream. Bounded by {@code timeout}.
     *
     * <p>A completed drain seals the applier (no group is applied after the one that may be committing at that
     * instant), moves to {@link State#DRAINED} and returns at once, while the engine stops in the background: stopping
     * it takes 60 ms to over a second, and nothing depends on it but the slot on the source, which stays active until
     * {@link Drain#stopped()} completes. A drain that ran out of time stops the engine before it returns.
     */
    public Drain drainAndSeal(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (tracker.status().state().isTerminal() || !started.get()) {
            close();
            return new Drain(tracker.status().appliedPosition(), tracker.status().state() == State.DRAINED,
                    CompletableFuture.completedFuture(null));
        }
        long begin = System.nanoTime();
        int askSeconds = Math.max(1, (int) Math.min(5, timeout.toSeconds() / 2));
        String token = config.name() + ":" + UUID.randomUUID();
        long walTarget = drainLine.drainTarget(token, askSeconds * 1000);
        if (walTarget < 0) {
            try {
                walTarget = sourceAdmin(config, askSeconds).drainTarget(token);
            } catch (SQLException e) {
                LOG.info("drain {}: source answers no more ({}); waiting for a quiet stream instead", config.name(), e.getMessage());
            }
        }
        long asked = System.nanoTime();
        boolean done = walTarget >= 0 ? tracker.awaitProcessed(walTarget, deadline) : tracker.awaitQuiet(quietNanos(), deadline);
        long caughtUp = System.nanoTime();
        if (done) {
            seal.seal();
            synchronized (lifecycle) {
                drained = true;
                closing = true; // the engine's end, whatever its outcome, is this drain's stop
                lifecycle.notifyAll();
            }
            tracker.stopped(State.DRAINED, "drained and sealed; the engine stops in the background");
        }
        LOG.info("drain {}: {} (source position {}, processed {}, applied {}; source asked in {} ms, waited {} ms)",
                config.name(), done ? "caught up" : "timed out after " + timeout,
                walTarget >= 0 ? Lsn.format(walTarget) : "unknown", Lsn.format(tracker.processedPosition()),
                Lsn.format(tracker.status().appliedPosition()), millisBetween(begin, asked), millisBetween(asked, caughtUp));
        long applied = tracker.status().appliedPosition();
        if (!done) {
            close();
            LOG.info("drain {}: stream stopped in {} ms", config.name(), millisBetween(caughtUp, System.nanoTime()));
            return new Drain(tracker.status().appliedPosition(), false, CompletableFuture.completedFuture(null));
        }
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        Thread stopper = new Thread(() -> {
            try {
                close();
                LOG.info("drain {}: stream stopped {} ms after the drain", config.name(), millisBetween(caughtUp, System.nanoTime()));
            } finally {
                stopped.complete(null);
            }
        }, "replicator-" + config.name() + "-stop");
        stopper.setDaemon(true);
        stopper.start();
        return new Drain(applied, true, stopped);
    }

    /** Stops the engine and waits for its thread; idempotent. */
    @Override
    public void close() {
        drainLine.close();
        ChangeStream current;
        Thread engineThread;
        synchronized (lifecycle) {
            closing = true;
            current = stream;
            lifecycle.notifyAll(); // ends a reconnect back-off
            engineThread = thread;
        }
        try {
            if (current != null) {
                current.stop(STOP_PATIENCE);
            }
            if (engineThread != null && engineThread != Thread.currentThread()) {
                engineThread.join(STOP_PATIENCE.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        finish(true, null);
    }

    /** What the target holds for {@code sourceId} (check {@link AppliedState#snapshotComplete()}), or empty if nothing. */
    public static Optional<AppliedState> appliedState(DataSource target, String sourceId) {
        try {
            return TargetWriter.readState(target, sourceId);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read replication state from the target: " + e.getMessage(), e);
        }
    }

    /**
     * Lets a new stream start from a slot that already exists on the source, without a fresh copy: records in the
     * target that everything up to the slot's confirmed position is applied, so the next {@link #start()} resumes
     * there. Only correct when the target's data equals the source's data as of that position (an old primary that
     * did not diverge, joining the new primary that created this slot before it accepted any write).
     *
     * @return the position the stream will resume after, or empty when there is no usable slot (a fresh copy follows)
     */
    public static Optional<Long> seedFromSlot(ReplicatorConfig config, DataSource target) throws SQLException {
        SourceAdmin admin = sourceAdmin(config, 10);
        long[] slot = admin.slotState(config.name());
        if (slot == null || slot[1] != 0 || slot[0] == 0) {
            return Optional.empty();
        }
        TargetWriter writer = new TargetWriter(target, config.sourceId(), config.scope().toString());
        writer.prepare();
        writer.recordPosition(new AppliedState(config.sourceId(), slot[0], System.currentTimeMillis(), true), true);
        LOG.info("replicator {}: seeded to resume source {} after {} (the slot's consistent point)", config.name(),
                config.sourceId(), Lsn.format(slot[0]));
        return Optional.of(slot[0]);
    }

    /**
     * Drops a stream's replication slot and its publication (both named {@code slotName}) on the source, when a
     * secondary is removed or a failover made the stream stale; no-op for what does not exist.
     */
    public static void dropSlot(String host, int port, String db, String user, String password, String slotName) {
        try {
            SourceAdmin admin = new SourceAdmin(host, port, db, user, password, 5);
            admin.dropSlot(slotName);
            admin.dropPublication(slotName);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop replication slot " + slotName + " on " + host + ":" + port + "/" + db
                    + ": " + e.getMessage(), e);
        }
    }

    /**
     * Runs the engine until it stops; a broken connection to the source or the target (a server crashed or restarted)
     * starts a new run from the target's state row after a bounded back-off, while the state shows STARTING. Debezium's
     * own restarts are off (see {@code EngineProperties}): they resume at the engine's in-memory offset, which can lie
     * inside a transaction, whereas the state row always lies at a transaction boundary.
     */
    private void runEngine() {
        Backoff backoff = new Backoff(RECONNECT_FIRST_DELAY, RECONNECT_MAX_DELAY);
        String failure = "the replicator thread ended unexpectedly";
        try {
            StreamRun.Outcome outcome;
            while (true) {
                long processedBefore = tracker.processedPosition();
                outcome = new StreamRun(config, target, tracker, seal).run(this::register);
                if (outcome.end() != StreamRun.End.CONNECTION_LOST || isClosing()) {
                    break;
                }
                if (tracker.processedPosition() > processedBefore) {
                    backoff.reset(); // the last run got somewhere: start over with short delays
                }
                Duration delay = backoff.next();
                String reason = "connection lost (" + outcome.reason() + "); restarting from the target's state row in "
                        + delay.toMillis() + " ms (attempt " + backoff.attempt() + ")";
                LOG.warn("replicator {}: {}", config.name(), reason);
                tracker.transition(State.STARTING, reason);
                if (!pause(delay)) {
                    break;
                }
            }
            failure = outcome.end() == StreamRun.End.FAILED ? outcome.reason() : null;
        } finally {
            finish(failure == null, failure);
        }
    }

    private boolean register(ChangeStream created) {
        synchronized (lifecycle) {
            if (closing) {
                return false;
            }
            stream = created;
            return true;
        }
    }

    private boolean isClosing() {
        synchronized (lifecycle) {
            return closing;
        }
    }

    /** Waits {@code delay} unless closed meanwhile; true if not closing. */
    private boolean pause(Duration delay) {
        long deadline = System.nanoTime() + delay.toNanos();
        synchronized (lifecycle) {
            try {
                for (long left = delay.toNanos(); !closing && left > 0; left = deadline - System.nanoTime()) {
                    lifecycle.wait(Math.max(1, left / 1_000_000));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            return !closing;
        }
    }

    /** Settles the final state once the engine is gone (or will never run). */
    private void finish(boolean success, String error) {
        boolean wasDrained;
        boolean wasClosing;
        synchronized (lifecycle) {
            wasDrained = drained;
            wasClosing = closing;
        }
        if (!success && !wasClosing) {
            tracker.fail(error == null ? "engine stopped with an error" : error);
        } else if (wasClosing || !success) {
            tracker.stopped(wasDrained ? State.DRAINED : State.STOPPED, wasDrained ? "drained" : "closed");
        } else {
            tracker.stopped(State.STOPPED, "engine stopped");
        }
    }

    /** Administration of {@code config}'s source database (slots, WAL position, markers). */
    static SourceAdmin sourceAdmin(ReplicatorConfig config, int connectTimeoutSeconds) {
        return new SourceAdmin(config.sourceHost(), config.sourcePort(), config.sourceDatabase(), config.user(), config.password(),
                connectTimeoutSeconds);
    }

    private static long millisBetween(long fromNanos, long toNanos) {
        return java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
    }

    private long quietNanos() {
        return Duration.ofMillis(Math.max(500, 20 * config.pollIntervalMs())).toNanos();
    }
}
