package io.understudy.node.appfiles;

import io.understudy.node.store.Database;
import java.io.IOException;
import java.nio.file.Path;
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
 * The primary's side: finds changes of the files directory (events, and a full scan as the safety net), decides each
 * path with {@link CaptureRules}, and captures each new version or deletion ({@link VersionCapture}) under a version
 * number of its epoch, allocated in capture order. Worker thread only.
 */
final class Capturer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Capturer.class);
    /** How long tombstones are kept; a secondary that was away longer finds deletions by its full pass. */
    private static final long TOMBSTONE_KEEP_MS = 24L * 3600 * 1000;
    private static final int FLUSH_ATTEMPTS = 3;

    /** A change seen and not yet captured. */
    private record Change(long firstSeenMs, long lastEventMs) {
        Change merge(Change other) {
            return new Change(Math.min(firstSeenMs, other.firstSeenMs), Math.max(lastEventMs, other.lastEventMs));
        }
    }

    private final LocalDisk disk;
    private final Database db;
    private final AppFilesSettings settings;
    private final FilesCounters counters;
    private final Runnable wake;
    private final VersionCapture versions;
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
        this.versions = new VersionCapture(db);
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

    /** A pending path and what to do with it. */
    private record Decided(String path, Path file, DiskState state, Change change, CaptureRules.Verdict verdict) {
    }

    /**
     * Decides every pending path, then captures the deletions before the new versions (a path that turned from a file
     * into a directory, or back, is free on the secondary before its new content arrives); returns when the earliest
     * waiting path is due.
     */
    private long capturePending(boolean flush) throws Exception {
        long wakeAt = Long.MAX_VALUE;
        List<String> paths = new ArrayList<>(pending.keySet());
        List<Decided> deletions = new ArrayList<>();
        List<Decided> captures = new ArrayList<>();
        for (int i = 0; i < paths.size(); i++) {
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
            CaptureRules.Verdict verdict = CaptureRules.decide(index.get(path), state, flush, System.currentTimeMillis(),
                    change.lastEventMs(), change.firstSeenMs(), settings.quietMs(), settings.scanIntervalMs());
            if (verdict instanceof CaptureRules.Wait wait) {
                wakeAt = Math.min(wakeAt, wait.atMs());
            } else if (verdict instanceof CaptureRules.Delete) {
                deletions.add(new Decided(path, file, state, change, verdict));
            } else if (verdict instanceof CaptureRules.Capture) {
                captures.add(new Decided(path, file, state, change, verdict));
            } else {
                pending.remove(path);
                if (verdict instanceof CaptureRules.Unsupported unsupported && unsupported.kind() != DiskState.Kind.DIRECTORY
                        && warned.add(path)) {
                    log.warn("not replicating {}: a {} (only regular files are)", file, unsupported.kind().name()
                            .toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
                }
            }
        }
        for (Decided d : deletions) {
            if (active.getAsBoolean()) {
                captureDeletion(d.path());
                pending.remove(d.path());
            }
        }
        for (Decided d : captures) {
            if (active.getAsBoolean()) {
                pending.remove(d.path());
                captureWithRetries(d.path(), d.file(), (DiskState.File) d.state(), flush ? FLUSH_ATTEMPTS : 1, d.change());
            }
        }
        return wakeAt;
    }

    private void captureWithRetries(String path, Path file, DiskState.File state, int attempts, Change change) throws Exception {
        for (int attempt = 1; active.getAsBoolean(); attempt++) {
            VersionCapture.Outcome outcome;
            try {
                outcome = capture(path, file, state);
            } catch (IOException e) {
                counters.errors.incrementAndGet();
                if (warned.add(path)) {
                    log.warn("cannot read {} ({}); trying again at the next scan", file, e.toString());
                }
                return;
            }
            if (outcome == VersionCapture.Outcome.CAPTURED) {
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

    /** Captures {@code file}, as it was when {@code before} was read, as a new version. */
    private VersionCapture.Outcome capture(String path, Path file, DiskState.File before) throws IOException, SQLException {
        if (!active.getAsBoolean()) {
            return VersionCapture.Outcome.UNSTABLE;
        }
        long version = FileVersions.next(epoch, lastVersion);
        lastVersion = version; // never reused: some of its chunks may already be committed
        VersionCapture.Outcome outcome = versions.file(path, file, before, version, epoch, active);
        if (outcome == VersionCapture.Outcome.CAPTURED) {
            index.put(path, new CaptureRules.Known(before.size(), before.mtimeMs()));
            counters.capturedFiles.incrementAndGet();
            counters.capturedBytes.addAndGet(before.size());
            counters.lastCaptureAtMs.set(System.currentTimeMillis());
        }
        return outcome;
    }

    private void captureDeletion(String path) throws Exception {
        long version = FileVersions.next(epoch, lastVersion);
        lastVersion = version;
        versions.deletion(path, version, epoch);
        index.remove(path);
        counters.capturedDeletions.incrementAndGet();
        counters.lastCaptureAtMs.set(System.currentTimeMillis());
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
