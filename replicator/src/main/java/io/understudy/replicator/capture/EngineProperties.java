package io.understudy.replicator.capture;

import io.debezium.connector.postgresql.UnderstudySourceInfoStructMaker;
import io.understudy.replicator.ReplicatorConfig;
import java.util.Properties;
import io.understudy.replicator.scope.Resolution;

/** Debezium engine and PostgreSQL connector settings for one stream. Pure: config in, properties out. */
public final class EngineProperties {

    public static final String HEARTBEAT_TOPIC_PREFIX = "__debezium-heartbeat";
    /** Prefix of the logical decoding messages {@code drain} writes on the source to mark "everything up to here". */
    public static final String DRAIN_MESSAGE_PREFIX = "understudy.drain";
    /** Prefix of the non-transactional messages each heartbeat writes on the source (see {@link #of}). */
    public static final String HEARTBEAT_MESSAGE_PREFIX = "understudy.heartbeat";
    public static final String UNAVAILABLE_PLACEHOLDER = "__understudy_unavailable_value";
    /** Records per engine batch; a batch this full means more records are already waiting (see {@link BatchHandler}). */
    public static final int MAX_BATCH_SIZE = 2048;
    /** How long a start waits for the source to free the stream's slot, and how often it tries meanwhile. */
    private static final long SLOT_PATIENCE_MS = 60_000;
    private static final long SLOT_RETRY_DELAY_MS = 250;

    private EngineProperties() {
    }

    public static String engineName(ReplicatorConfig config) {
        return "understudy-" + config.name();
    }

    /** @param resolved the tables the stream's publication holds (see {@code ScopeCatalog#publish}) */
    public static Properties of(ReplicatorConfig config, Resolution.Replicable resolved) {
        Properties p = new Properties();
        p.setProperty("name", engineName(config));
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("topic.prefix", config.name());
        // Per-change work on the connector's single decoding thread, made cheaper (see each class).
        p.setProperty("topic.naming.strategy", TableTopics.class.getName());
        p.setProperty("sourceinfo.struct.maker", UnderstudySourceInfoStructMaker.class.getName());
        p.setProperty("converters", "timestamptz");
        p.setProperty("timestamptz.type", ZonedTimestampConverter.class.getName());

        // Resume positions come from the target's state table (see SeededOffsetStore); committed offsets only move
        // the slot's confirmed position forward, which lets the source recycle WAL.
        p.setProperty("offset.storage", SeededOffsetStore.class.getName());
        p.setProperty("offset.storage.file.filename", config.offsetFile().toString());
        // Each commit makes the engine's apply thread wait while the connector's streaming thread sends the position to
        // the source: 20 ms typical, up to 180 ms on a loaded machine, and every change queued meanwhile waits too.
        // Every 5 s instead of every second: the slot then holds at most 5 s more WAL, and nothing else reads it.
        p.setProperty("offset.flush.interval.ms", "5000");
        p.setProperty("offset.flush.timeout.ms", "5000");

        p.setProperty("database.hostname", config.sourceHost());
        p.setProperty("database.port", Integer.toString(config.sourcePort()));
        p.setProperty("database.dbname", config.sourceDatabase());
        p.setProperty("database.user", config.user());
        p.setProperty("database.password", config.password());
        p.setProperty("database.tcpKeepAlive", "true");

        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", config.name());
        p.setProperty("slot.drop.on.stop", "false");
        p.setProperty("publication.name", config.name());
        // The publication is set before the engine starts (to exactly the resolved tables) and kept by the capture
        // trigger as tables are created: never by Debezium, which would publish tables without checking their identity.
        p.setProperty("publication.autocreate.mode", "disabled");
        p.setProperty("table.include.list", config.scope().debeziumTableFilter(resolved));
        p.setProperty("snapshot.mode", "initial");

        // BEGIN/END events delimit each source transaction; END carries its commit LSN.
        p.setProperty("provide.transaction.metadata", "true");
        p.setProperty("skipped.operations", "none");
        p.setProperty("tombstones.on.delete", "false");
        p.setProperty("message.prefix.include.list", DRAIN_MESSAGE_PREFIX.replace(".", "\\.") + ","
                + HEARTBEAT_MESSAGE_PREFIX.replace(".", "\\."));

        // Type fidelity: every value reaches the target as its exact text (or bytes) and is cast there.
        p.setProperty("decimal.handling.mode", "string");
        p.setProperty("binary.handling.mode", "bytes");
        p.setProperty("interval.handling.mode", "string");
        p.setProperty("time.precision.mode", "adaptive_time_microseconds");
        p.setProperty("hstore.handling.mode", "json");
        p.setProperty("unavailable.value.placeholder", UNAVAILABLE_PLACEHOLDER);

        // Latency: the connector and the queue sleep poll.interval.ms when idle (Debezium's default is 500).
        p.setProperty("poll.interval.ms", Long.toString(config.pollIntervalMs()));
        p.setProperty("heartbeat.interval.ms", Long.toString(config.heartbeatIntervalMs()));
        // With the replicated tables idle, the stream receives nothing while other WAL piles up, so the slot's
        // confirmed position (and the WAL the source must keep) would never move. Each heartbeat therefore writes a
        // tiny message into the WAL that travels the stream; acknowledging it lets the source recycle what lies
        // before it. Proven by StreamFidelityIT.anIdleStreamStillLetsTheSourceRecycleWalWhileOtherTablesChange.
        p.setProperty("heartbeat.action.query", "SELECT pg_logical_emit_message(false, '" + HEARTBEAT_MESSAGE_PREFIX + "', '')");
        p.setProperty("max.batch.size", Integer.toString(MAX_BATCH_SIZE));
        p.setProperty("max.queue.size", "8192");
        // Rows of chunk tables carry up to 256 KiB each: bound what the queue and one snapshot fetch hold in memory
        // (Debezium's defaults, an unbounded queue and 10,240 rows a fetch, would hold gigabytes of file chunks).
        p.setProperty("max.queue.size.in.bytes", Long.toString(16L << 20));
        p.setProperty("snapshot.fetch.size", "128");
        // Per-event work on the connector's single decoding thread that nothing here reads: latency statistics and
        // the context headers added to every record.
        p.setProperty("statistics.metrics.enabled", "false");
        p.setProperty("extended.headers.enabled", "false");

        // No restarts inside the engine: Debezium would resume from its in-memory offset, which may lie inside a
        // source transaction (its END then arrives without its BEGIN). The engine stops on a lost connection instead,
        // and the Replicator starts a new engine from the target's state row, which lies at a transaction boundary.
        // The key sets both the connector's retries (its error handler) and the engine's (its polling loop).
        p.setProperty("errors.max.retries", "0");
        // Still used once: a task whose start fails on a connection retries that start after this wait (nothing was
        // streamed yet, so it starts from the seed); Debezium's default is 10 s.
        p.setProperty("retriable.restart.connector.wait.ms", "1000");
        // A stream resumed from a stored position starts twice: the connector reads up to that position, closes its
        // replication connection and starts again. The source's walsender for the first start may still hold the slot
        // for some milliseconds; the second start then fails ("replication slot ... is active") and Debezium waits its
        // retry delay, 10 s by default, before it tries again: a rejoined secondary stood 10 s behind. The same patience
        // (a minute, for a walsender whose client vanished without a word) in short steps.
        p.setProperty("slot.retry.delay.ms", Long.toString(SLOT_RETRY_DELAY_MS));
        p.setProperty("slot.max.retries", Long.toString(SLOT_PATIENCE_MS / SLOT_RETRY_DELAY_MS));
        return p;
    }
}
