package io.understudy.replicator.capture;

import io.debezium.embedded.KafkaConnectUtil;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.Converter;
import org.apache.kafka.connect.storage.MemoryOffsetBackingStore;
import org.apache.kafka.connect.util.Callback;

/**
 * The engine's offset store, seeded at start from the position the target committed together with its data, and
 * otherwise kept in memory only. Debezium's own offset file is written apart from the target's transactions, so a
 * crash can leave it missing, stale or torn (a torn file made the engine snapshot again over a streamed target);
 * the target's state row cannot disagree with the target's data. Offsets the engine commits during a run still
 * advance the slot's confirmed position; they are simply not kept.
 *
 * <p>The seed is a small properties file at {@code offset.storage.file.filename}, written by {@link #writeSeed}
 * before the engine starts; without one the engine starts with no offset (a fresh sync).
 */
public final class SeededOffsetStore extends MemoryOffsetBackingStore {

    private Path seedFile;

    /** Writes the seed for a stream resuming after {@code commitPosition} (atomically replaced). */
    public static void writeSeed(Path file, String engineName, String server, long commitPosition, long commitTsMs) throws IOException {
        Properties p = new Properties();
        p.setProperty("engine", engineName);
        p.setProperty("server", server);
        p.setProperty("lsn", Long.toString(commitPosition));
        p.setProperty("ts_usec", Long.toString(Math.max(0, commitTsMs) * 1000));
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, "resume position of the stream, from the target's understudy_replica_state");
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public void configure(WorkerConfig config) {
        super.configure(config);
        String name = config.originalsStrings().get("offset.storage.file.filename");
        seedFile = name == null ? null : Path.of(name);
    }

    @Override
    public synchronized void start() {
        super.start();
        if (seedFile == null || !Files.exists(seedFile)) {
            return;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(seedFile, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the offset seed " + seedFile + ": " + e.getMessage(), e);
        }
        long lsn = Long.parseLong(p.getProperty("lsn"));
        Map<String, Object> offset = new HashMap<>();
        // The last applied transaction's commit: the engine resumes after it, and redeliveries are skipped by position.
        offset.put("lsn", lsn);
        offset.put("lsn_commit", lsn);
        offset.put("lsn_proc", lsn);
        offset.put("messageType", "COMMIT");
        offset.put("ts_usec", Long.parseLong(p.getProperty("ts_usec")));
        Converter converter = KafkaConnectUtil.converterForOffsetStore();
        String engine = p.getProperty("engine");
        byte[] key = converter.fromConnectData(engine, null, List.of(engine, Map.of("server", p.getProperty("server"))));
        byte[] value = converter.fromConnectData(engine, null, offset);
        data.put(ByteBuffer.wrap(key), ByteBuffer.wrap(value));
    }

    /**
     * Keeps committed offsets at once, on the calling thread (the engine's, during its offset commit), rather than on
     * the store's own thread: they are written nowhere, so the engine would only wait for a thread to be scheduled.
     */
    @Override
    public synchronized Future<Void> set(Map<ByteBuffer, ByteBuffer> values, Callback<Void> callback) {
        data.putAll(values);
        if (callback != null) {
            callback.onCompletion(null, null);
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized Future<Map<ByteBuffer, ByteBuffer>> get(Collection<ByteBuffer> keys) {
        Map<ByteBuffer, ByteBuffer> found = new HashMap<>();
        for (ByteBuffer key : keys) {
            found.put(key, data.get(key));
        }
        return CompletableFuture.completedFuture(found);
    }

    @Override
    public Set<Map<String, Object>> connectorPartitions(String connectorName) {
        return Set.of();
    }
}
