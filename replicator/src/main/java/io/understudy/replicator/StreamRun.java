package io.understudy.replicator;

import io.debezium.engine.RecordChangeEvent;
import io.understudy.replicator.apply.TargetWriter;
import io.understudy.replicator.capture.BatchHandler;
import io.understudy.replicator.capture.ChangeStream;
import io.understudy.replicator.capture.ConnectionLoss;
import io.understudy.replicator.capture.EngineProperties;
import io.understudy.replicator.capture.RecordDecoder;
import io.understudy.replicator.capture.SchemaCopy;
import io.understudy.replicator.capture.SeededOffsetStore;
import io.understudy.replicator.capture.SourceAdmin;
import io.understudy.replicator.capture.TransactionAssembler;
import io.understudy.replicator.capture.ValueConverter;
import io.understudy.replicator.scope.Resolution;
import io.understudy.replicator.scope.ScopeCatalog;
import java.io.IOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the engine, from the target's state row (always at a source transaction boundary) until the engine
 * stops. Every run starts afresh: a new plan, offset seed, assembler and engine, so nothing half-received in an earlier
 * run survives into this one. Runs on the replicator's thread.
 */
final class StreamRun {

    private static final Logger LOG = LoggerFactory.getLogger(StreamRun.class);

    /** How a run ended. */
    enum End {
        /** The engine stopped without error (closed, or drained). */
        STOPPED,
        /** A connection to the source or the target broke; a new run from the state row can carry on. */
        CONNECTION_LOST,
        /** Anything else: retrying cannot help. */
        FAILED
    }

    record Outcome(End end, String reason) {
    }

    /** Hands the run's engine to whoever may have to stop it; false when the replicator is closing (do not run). */
    interface Registry {
        boolean register(ChangeStream stream);
    }

    private final ReplicatorConfig config;
    private final DataSource target;
    private final StatusTracker tracker;
    private final ApplySeal seal;

    StreamRun(ReplicatorConfig config, DataSource target, StatusTracker tracker, ApplySeal seal) {
        this.config = config;
        this.target = target;
        this.tracker = tracker;
        this.seal = seal;
    }

    Outcome run(Registry registry) {
        AtomicReference<Outcome> engineEnd = new AtomicReference<>(new Outcome(End.STOPPED, "engine stopped"));
        ChangeStream stream;
        SchemaCopy copy = null;
        try {
            Resolution.Replicable resolved = publishOnSource();
            tracker.tablesTotal(resolved.publish().size());
            String scope = config.scope().toString();
            TargetWriter writer = new TargetWriter(target, config.sourceId(), scope);
            StartPlan plan = StartPlan.decide(config.sourceId(), writer.prepare(), slotOnSource(), scope);
            LOG.info("replicator {}: {} sync ({})", config.name(), plan.fresh() ? "fresh" : "resumed", plan.reason());
            copy = prepareOffsets(writer, plan, resolved);
            tracker.resumeFrom(plan);
            TransactionAssembler<RecordChangeEvent<SourceRecord>> assembler = new TransactionAssembler<>(plan.appliedPosition(), !plan.fresh());
            RecordDecoder decoder = new RecordDecoder(config.name(), new ValueConverter(EngineProperties.UNAVAILABLE_PLACEHOLDER));
            BatchHandler handler = new BatchHandler(decoder, assembler, new UnitApplier(writer, config.sourceId(), tracker, seal,
                    plan.appliedPosition(), copy == null ? null : copy::release), EngineProperties.MAX_BATCH_SIZE);
            stream = new ChangeStream(EngineProperties.of(config, resolved), handler, new ChangeStream.Callbacks() {
                @Override
                public void taskStarted() {
                    tracker.transition(plan.fresh() ? State.SNAPSHOTTING : State.STREAMING,
                            plan.fresh() ? "engine started, copying existing rows" : "engine started, " + plan.reason());
                }

                @Override
                public void finished(boolean success, String message, Throwable error) {
                    if (!success) {
                        // The consumer's own failure says more than the engine's wrapper of it.
                        Throwable cause = handler.failure() != null ? handler.failure() : error;
                        engineEnd.set(classify(message + (error == null ? "" : ": " + error.getMessage()), cause));
                    }
                }
            });
        } catch (SQLException | IOException | InterruptedException | RuntimeException e) {
            if (copy != null) {
                copy.close();
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            Outcome outcome = classify("start failed: " + e.getMessage(), e);
            if (outcome.end() == End.FAILED) {
                LOG.error("replicator {} could not start", config.name(), e);
            }
            return outcome;
        }
        try {
            if (!registry.register(stream)) {
                return new Outcome(End.STOPPED, "closed before the engine started");
            }
            stream.run();
            return engineEnd.get();
        } finally {
            if (copy != null) {
                copy.close(); // a run that ends before its copy of the rows is complete lets schema changes run again
            }
        }
    }

    /** Resolves the scope on the source and sets the stream's publication to it; see {@code ScopeCatalog#publish}. */
    private Resolution.Replicable publishOnSource() throws SQLException {
        try (Connection c = Replicator.sourceAdmin(config, 10).connect()) {
            return ScopeCatalog.publish(c, config.scope(), config.name());
        }
    }

    /** Readies the offsets (and, for a fresh sync, the target); returns the schema copy a fresh sync holds, or null. */
    private SchemaCopy prepareOffsets(TargetWriter writer, StartPlan plan, Resolution.Replicable resolved)
            throws SQLException, IOException, InterruptedException {
        Files.createDirectories(config.offsetDir());
        if (!plan.fresh()) {
            SeededOffsetStore.writeSeed(config.offsetFile(), EngineProperties.engineName(config), config.name(),
                    plan.appliedPosition(), plan.sourceCommitTsMs());
            return null;
        }
        SourceAdmin admin = Replicator.sourceAdmin(config, 10);
        admin.dropSlot(config.name());
        Files.deleteIfExists(config.offsetFile());
        SchemaCopy copy = config.scope().include().isEmpty() ? null : SchemaCopy.take(admin.connect(), config.scope(),
                config.sourceHost(), config.sourcePort(), config.sourceDatabase(), config.user(), config.password());
        try {
            writer.resetForFreshSync(resolved.publish(), copy);
            return copy;
        } catch (SQLException | RuntimeException e) {
            if (copy != null) {
                copy.close();
            }
            throw e;
        }
    }

    private static Outcome classify(String message, Throwable error) {
        Optional<String> lost = ConnectionLoss.of(error);
        return lost.map(why -> new Outcome(End.CONNECTION_LOST, why)).orElseGet(() -> new Outcome(End.FAILED, message));
    }

    private Optional<StartPlan.Slot> slotOnSource() throws SQLException {
        long[] slot = Replicator.sourceAdmin(config, 10).slotState(config.name());
        return slot == null ? Optional.empty() : Optional.of(new StartPlan.Slot(slot[0], slot[1] != 0));
    }
}
