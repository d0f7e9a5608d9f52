package io.understudy.node.appfiles;

import io.understudy.node.store.Database;
import io.understudy.node.store.Etags;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary's side: finds changes of the files directory (events, and a full scan as the safety net) and captures
 * each new version into the file tables. A version is read from disk chunk by chunk, its chunks committed in
 * bounded transactions, and it becomes current only in the transaction that writes its row: a half-captured file is
 * never visible, and no transaction (here, or on a secondary applying it) holds more than a few chunks. Worker
 * thread only.
 */
final class Capturer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Capturer.class);
    /** Chunks per transaction: 4 MiB, what a secondary holds in memory at most for one source transaction. */
    static final int CHUNKS_PER_TRANSACTION = 16;
    /** How long tombstones are kept; a secondary that was away longer finds deletions by its full pass. */
    private static final long TOMBSTONE_KEEP_MS = 24L * 3600 * 1000;
    private static final int FLUSH_ATTEMPTS = 3;

    /** A change seen and not yet captured. */
    private record Change(long firstSeenMs, long lastEventMs) {
        Change merge(Change other) {
            return new Change(Math.min(firstSeenMs, other.firstSeenMs), Math.max(lastEventMs, other.lastEventMs));
        }
    }

    private enum Outcome { CAPTURED, UNSTABLE, VANISHED }

    private final LocalDisk disk;
    private final Database db;
    private final AppFilesSettings settings;
    private final FilesCounters counters;
    private final Runnable wake;
    private final Map<String, Change> pending = new HashMap<>();
    private final Set<String> warned = new HashSet<>();
    private BooleanSupplier active = () -> false;
    private DirectoryWatch watch;
    private TreeMap<String, CaptureRules.Known> index;
    private long epoch;
    private long lastVersion;
    private long nextScanAtMs;
    private boolean emptyWarned;

    Capturer(LocalDisk disk, Database db, AppFilesSettings settings, FilesCounters counters, Runnable wake) {
        this.disk = disk;
        this.db = db;
        this.settings = settings;
        this.counters = counters;
        this.wake = wake;
    }

    /** Captures for {@code epoch} from the next pass on, while {@code active} holds (checked between chunks). */
    void begin(long epoch, BooleanSupplier active) {
        close();
        this.epoch = epoch;
        this.active = active;
    }

    /**
     * Captures what changed: with {@code flush}, every change made before the call, at once; otherwise what has been
     * quiet long enough. Returns when to run again (wall clock, ms).
     */
    long pass(boolean flush) throws Exception {
        if (index == null) {
            start();
        }
        long now = System.currentTimeMillis();
        boolean full = now >= nextScanAtMs || watch == null || watch.takeOverflow();
        if (flush && !full) {
            full = !watch.complete() || !watch.awaitMarker(settings.flushTimeoutMs() / 2) || watch.takeOverflow();
        }
        if (watch != null) {
            watch.drainDirty().forEach((path, at) -> pending.merge(path, new Change(at, at), Change::merge));
        }
        if (full) {
            scan(now);
        }
        long wakeAt = capturePending(flush);
        counters.capturePending.set(pending.size());
        return Math.min(wakeAt, nextScanAtMs);
    }

    private void start() throws Exception {
        TreeMap<String, CaptureRules.Known> live = db.inTransaction(c -> {
            int orphans = FileTables.deleteOrphanChunks(c);
            if (orphans > 0) {
                log.info("deleted {} chunks of file versions whose capture was interrupted", orphans);
            }
            lastVersion = FileTables.highestVersion(c, epoch);
            return FileTables.live(c);
        });
        DirectoryWatch started = new DirectoryWatch(disk, wake);
        try {
            started.start(); // before the scan: nothing changed during the scan is missed
            watch = started;
        } catch (IOException e) {
            log.warn("cannot watch {} ({}); changes are found by the periodic scan, and every flush scans", disk.root(), e.toString());
        }
        index = live;
        nextScanAtMs = 0;
        log.info("capturing {} for epoch {}: {} files recorded", disk.root(), epoch, index.size());
    }

    /** Compares the whole directory with the table and queues every difference. */
    private void scan(long now) throws Exception {
        Set<String> found = new HashSet<>();
        long[] files = {0};
        disk.walk((path, state) -> {
            found.add(path);
            if (state instanceof DiskState.File f) {
                files[0]++;
                CaptureRules.Known known = index.get(path);
                if (known == null || known.size() != f.size() || known.mtimeMs() != f.mtimeMs()) {
                    pending.merge(path, new Change(now, 0), Change::merge);
                }
            } else if (index.containsKey(path) || !warned.contains(path)) {
                pending.merge(path, new Change(now, 0), Change::merge);
            }
        });
        List<String> missing = index.keySet().stream().filter(p -> !found.contains(p)).toList();
        if (!missing.isEmpty()) {
            if (CaptureRules.scanMayDelete(files[0], index.size())) {
                missing.forEach(p -> pending.merge(p, new Change(now, 0), Change::merge));
                emptyWarned = false;
            } else if (!emptyWarned) {
                emptyWarned = true;
                log.error("{} is empty but {} files are recorded: not replicating their deletion (is the directory mounted?)",
                        disk.root(), index.size());
            }
        }
        int pruned = db.inTransaction(c -> FileTables.pruneTombstones(c, now - TOMBSTONE_KEEP_MS));
        if (pruned > 0) {
            log.debug("pruned {} tombstones of deleted files", pruned);
        }
        nextScanAtMs = now + settings.scanIntervalMs();
    }

    /** Decides and captures every pending path; returns when the earliest waiting one is due. */
    private long capturePending(boolean flush) throws Exception {
        long wakeAt = Long.MAX_VALUE;
        List<String> paths = new ArrayList<>(pending.keySet());
        for (int i = 0; i < paths.size() && active.getAsBoolean(); i++) {
            String path = paths.get(i);
            Change change = pending.get(path);
            Path file = disk.resolve(path);
            DiskState state = LocalDisk.stat(file);
            if (state instanceof DiskState.Absent
                    || state instanceof DiskState.Other other && other.kind() != DiskState.Kind.DIRECTORY) {
                // A directory that went away takes its files with it, without an event for each.
                for (String under : index.subMap(path + "/", path + "0").keySet()) {
                    if (!pending.containsKey(under)) {
                        pending.put(under, change);
                        paths.add(under);
                    }
                }
            }
            long now = System.currentTimeMillis();
            CaptureRules.Verdict verdict = CaptureRules.decide(index.get(path), state, flush, now, change.lastEventMs(),
                    change.firstSeenMs(), settings.quietMs(), settings.scanIntervalMs());
            if (verdict instanceof CaptureRules.Wait wait) {
                wakeAt = Math.min(wakeAt, wait.atMs());
                continue;
            }
            pending.remove(path);
            if (verdict instanceof CaptureRules.Capture) {
                captureWithRetries(path, file, (DiskState.File) state, flush ? FLUSH_ATTEMPTS : 1, change);
            } else if (verdict instanceof CaptureRules.Delete) {
                captureDeletion(path);
            } else if (verdict instanceof CaptureRules.Unsupported unsupported && unsupported.kind() != DiskState.Kind.DIRECTORY
                    && warned.add(path)) {
                log.warn("not replicating {}: a {} (only regular files are)", file, unsupported.kind().name().toLowerCase()
                        .replace('_', ' '));
            }
        }
        return wakeAt;
    }

    private void captureWithRetries(String path, Path file, DiskState.File state, int attempts, Change change) throws Exception {
        for (int attempt = 1; active.getAsBoolean(); attempt++) {
            Outcome outcome;
            try {
                outcome = capture(path, file, state);
            } catch (IOException e) {
                counters.errors.incrementAndGet();
                if (warned.add(path)) {
                    log.warn("cannot read {} ({}); trying again at the next scan", file, e.toString());
                }
                return;
            }
            if (outcome == Outcome.CAPTURED) {
                warned.remove(path);
                return;
            }
            DiskState now = LocalDisk.stat(file);
            if (attempt >= attempts || !(now instanceof DiskState.File f)) {
                // Changed while read, or gone: look again once it is quiet.
                pending.merge(path, new Change(change.firstSeenMs(), System.currentTimeMillis()), Change::merge);
                return;
            }
            state = f;
        }
        pending.merge(path, change, Change::merge); // stopped capturing: left for whoever captures next
    }

    /** Reads {@code file} (as it was when {@code before} was read) into a new version and makes it current. */
    private Outcome capture(String path, Path file, DiskState.File before) throws Exception {
        if (!active.getAsBoolean()) {
            return Outcome.UNSTABLE;
        }
        long version = FileVersions.next(epoch, lastVersion);
        lastVersion = version; // never reused: some of its chunks may already be committed
        Integer mode = LocalDisk.mode(file);
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(false);
            boolean chunksCommitted = false;
            boolean done = false;
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
                 PreparedStatement insert = FileTables.chunkInsert(c)) {
                MessageDigest sha = Etags.sha256();
                ByteBuffer buffer = ByteBuffer.allocate(FileTables.CHUNK_BYTES);
                long size = 0;
                int seq = 0;
                while (true) {
                    buffer.clear();
                    while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                        // fill the chunk
                    }
                    if (buffer.position() == 0) {
                        break;
                    }
                    size += buffer.position();
                    if (size > before.size() || !active.getAsBoolean()) {
                        return Outcome.UNSTABLE; // grew while read, or the node stopped capturing
                    }
                    byte[] chunk = buffer.position() == buffer.capacity() ? buffer.array()
                            : java.util.Arrays.copyOf(buffer.array(), buffer.position());
                    sha.update(chunk);
                    FileTables.insertChunk(insert, version, seq++, chunk);
                    if (seq % CHUNKS_PER_TRANSACTION == 0) {
                        c.commit();
                        chunksCommitted = true;
                    }
                }
                if (size != before.size() || !LocalDisk.stat(file).isFile(before.size(), before.mtimeMs())) {
                    return Outcome.UNSTABLE;
                }
                long now = System.currentTimeMillis();
                FileTables.makeCurrent(c, new FileRow(path, version, false, size, Etags.hex(sha.digest()), before.mtimeMs(), mode,
                        seq, now), epoch);
                c.commit();
                done = true;
                index.put(path, new CaptureRules.Known(size, before.mtimeMs()));
                counters.capturedFiles.incrementAndGet();
                counters.capturedBytes.addAndGet(size);
                counters.lastCaptureAtMs.set(now);
                log.debug("captured {} ({} bytes) as version {}", path, size, FileVersions.format(version));
                return Outcome.CAPTURED;
            } catch (NoSuchFileException e) {
                return Outcome.VANISHED;
            } finally {
                if (!done) {
                    abandon(c, version, chunksCommitted);
                }
            }
        }
    }

    private static void abandon(Connection c, long version, boolean chunksCommitted) {
        try {
            c.rollback();
            if (chunksCommitted) {
                FileTables.deleteChunks(c, version);
                c.commit();
            }
        } catch (SQLException e) {
            log.debug("cleaning up the interrupted capture of version {} failed ({}); the next capture start deletes its chunks",
                    FileVersions.format(version), e.getMessage());
        }
    }

    private void captureDeletion(String path) throws Exception {
        long version = FileVersions.next(epoch, lastVersion);
        lastVersion = version;
        long now = System.currentTimeMillis();
        db.inTransaction(c -> {
            FileTables.makeCurrent(c, new FileRow(path, version, true, 0, null, now, null, 0, now), epoch);
            return null;
        });
        index.remove(path);
        counters.capturedDeletions.incrementAndGet();
        counters.lastCaptureAtMs.set(now);
        log.debug("captured the deletion of {} as version {}", path, FileVersions.format(version));
    }

    /** Stops watching; the next {@link #begin} starts afresh from the table. */
    @Override
    public void close() {
        if (watch != null) {
            watch.close();
            watch = null;
        }
        index = null;
        pending.clear();
        counters.capturePending.set(0);
    }
}
