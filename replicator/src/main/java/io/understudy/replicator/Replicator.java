package io.understudy.replicator;

import io.understudy.cluster.Lsn;
import io.understudy.replicator.apply.TargetWriter;
import io.understudy.replicator.capture.BatchHandler;
import io.understudy.replicator.capture.ChangeStream;
import io.understudy.replicator.capture.EngineProperties;
import io.understudy.replicator.capture.RecordDecoder;
import io.understudy.replicator.capture.SeededOffsetStore;
import io.understudy.replicator.capture.SourceAdmin;
import io.understudy.replicator.capture.TransactionAssembler;
import io.understudy.replicator.capture.ValueConverter;
import java.io.IOException;
import java.nio.file.Files;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
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

    private final ReplicatorConfig config;
    private final DataSource target;
    private final StatusTracker tracker;
    private final AtomicBoolean started = new AtomicBoolean();
    private final Object lifecycle = new Object();
    private boolean closing;
    private boolean drained;
    private ChangeStream stream;
    private Thread thread;

    public Replicator(ReplicatorConfig config, DataSource target, ReplicationListener listener) {
        this.config = config;
        this.target = target;
        this.tracker = new StatusTracker(config.name(), config.tables().size(), listener == null ? ReplicationListener.NONE : listener);
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
     * Applies everything the source had committed when called, then stops the engine. With the source reachable,
     * it reads the source's current WAL position and writes a marker transaction there, and waits until the
     * stream has been processed past that position; otherwise it waits for a quiet stream. Bounded by
     * {@code timeout}; the state is {@link State#DRAINED} only if the drain completed.
     *
     * @return the applied commit position
     */
    public long drain(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (tracker.status().state().isTerminal() || !started.get()) {
            close();
            return tracker.status().appliedPosition();
        }
        long walTarget = -1;
        SourceAdmin admin = sourceAdmin(Math.max(1, (int) Math.min(5, timeout.toSeconds() / 2)));
        try {
            walTarget = admin.currentWalLsn();
            admin.emitDrainMarker(config.name() + ":" + UUID.randomUUID());
        } catch (SQLException e) {
            LOG.info("drain {}: source answers no more ({}); waiting for a quiet stream instead", config.name(), e.getMessage());
        }
        boolean done = walTarget >= 0 ? tracker.awaitProcessed(walTarget, deadline) : tracker.awaitQuiet(quietNanos(), deadline);
        synchronized (lifecycle) {
            drained = done;
        }
        LOG.info("drain {}: {} (source position {}, processed {}, applied {})", config.name(),
                done ? "caught up" : "timed out after " + timeout, walTarget >= 0 ? Lsn.format(walTarget) : "unknown",
                Lsn.format(tracker.processedPosition()), Lsn.format(tracker.status().appliedPosition()));
        close();
        return tracker.status().appliedPosition();
    }

    /** Stops the engine and waits for its thread; idempotent. */
    @Override
    public void close() {
        ChangeStream current;
        Thread engineThread;
        synchronized (lifecycle) {
            closing = true;
            current = stream;
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
        SourceAdmin admin = new SourceAdmin(config.sourceHost(), config.sourcePort(), config.sourceDatabase(), config.user(),
                config.password(), 10);
        long[] slot = admin.slotState(config.name());
        if (slot == null || slot[1] != 0 || slot[0] == 0) {
            return Optional.empty();
        }
        TargetWriter writer = new TargetWriter(target, config.sourceId());
        writer.prepare();
        writer.recordPosition(new AppliedState(config.sourceId(), slot[0], System.currentTimeMillis(), true));
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

    private void runEngine() {
        try {
            TargetWriter writer = new TargetWriter(target, config.sourceId());
            StartPlan plan = StartPlan.decide(config.sourceId(), writer.prepare(), slotOnSource());
            LOG.info("replicator {}: {} sync ({})", config.name(), plan.fresh() ? "fresh" : "resumed", plan.reason());
            if (plan.fresh()) {
                sourceAdmin(10).dropSlot(config.name());
                Files.createDirectories(config.offsetDir());
                Files.deleteIfExists(config.offsetFile());
                writer.resetForFreshSync(config.tableNames());
            } else {
                Files.createDirectories(config.offsetDir());
                SeededOffsetStore.writeSeed(config.offsetFile(), EngineProperties.engineName(config), config.name(),
                        plan.appliedPosition(), plan.sourceCommitTsMs());
            }
            tracker.resumeFrom(plan);
            TransactionAssembler<io.debezium.engine.RecordChangeEvent<org.apache.kafka.connect.source.SourceRecord>> assembler =
                    new TransactionAssembler<>(plan.appliedPosition(), !plan.fresh());
            RecordDecoder decoder = new RecordDecoder(config.name(), new ValueConverter(EngineProperties.UNAVAILABLE_PLACEHOLDER));
            BatchHandler handler = new BatchHandler(decoder, assembler, new UnitApplier(writer, config.sourceId(), tracker, plan.appliedPosition()));
            ChangeStream created = new ChangeStream(EngineProperties.of(config), handler, new ChangeStream.Callbacks() {
                @Override
                public void taskStarted() {
                    tracker.transition(plan.fresh() ? State.SNAPSHOTTING : State.STREAMING,
                            plan.fresh() ? "engine started, copying existing rows" : "engine started, " + plan.reason());
                }

                @Override
                public void finished(boolean success, String message, Throwable error) {
                    Replicator.this.finish(success, success ? null : message + (error == null ? "" : ": " + error.getMessage()));
                }
            });
            synchronized (lifecycle) {
                if (closing) {
                    return;
                }
                stream = created;
            }
            created.run();
        } catch (SQLException | IOException | RuntimeException e) {
            LOG.error("replicator {} could not start", config.name(), e);
            tracker.fail("start failed: " + e.getMessage());
        } finally {
            finish(true, null);
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

    private Optional<StartPlan.Slot> slotOnSource() throws SQLException {
        long[] slot = sourceAdmin(10).slotState(config.name());
        return slot == null ? Optional.empty() : Optional.of(new StartPlan.Slot(slot[0], slot[1] != 0));
    }

    private SourceAdmin sourceAdmin(int connectTimeoutSeconds) {
        return new SourceAdmin(config.sourceHost(), config.sourcePort(), config.sourceDatabase(), config.user(), config.password(),
                connectTimeoutSeconds);
    }

    private long quietNanos() {
        return Duration.ofMillis(Math.max(500, 20 * config.pollIntervalMs())).toNanos();
    }
}
