package io.understudy.node.appfiles;

import io.understudy.node.store.Database;
import io.understudy.node.store.Etags;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The secondary's side: makes the files directory match the replicated table. Each version is written to a temp
 * file in the target's directory, checked against its size and SHA-256, fsynced, given the primary's mtime and
 * permissions, renamed over the target and the directory fsynced; only then does {@code app_files_local} record it.
 * A crash anywhere leaves either the old file or the new one under the name, and temp files that the next full
 * pass removes. Passes are incremental (versions above the last one handled) after one full pass over every row,
 * every record and every file on disk, which runs at start, whenever the table becomes complete after a fresh copy,
 * and every scan interval. Worker thread only.
 */
final class Materialiser {

    private static final Logger log = LoggerFactory.getLogger(Materialiser.class);
    private static final int BATCH = 200;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final LocalDisk disk;
    private final Database db;
    private final AppFilesSettings settings;
    private final Path quarantineRoot;
    private final FilesCounters counters;
    private BooleanSupplier active = () -> false;
    private boolean needFull = true;
    private long watermark;
    private long nextFullAtMs;
    private Path quarantineDir;
    private int failures;

    Materialiser(LocalDisk disk, Database db, AppFilesSettings settings, Path quarantineRoot, FilesCounters counters) {
        this.disk = disk;
        this.db = db;
        this.settings = settings;
        this.quarantineRoot = quarantineRoot;
        this.counters = counters;
    }

    /** Materialises from the next pass on (a full pass first), while {@code active} holds. */
    void begin(BooleanSupplier active) {
        this.active = active;
        needFull = true;
        watermark = 0;
        quarantineDir = null;
    }

    /** One pass; returns when to run again (wall clock, ms). */
    long pass() throws Exception {
        long now = System.currentTimeMillis();
        if ((needFull || now >= nextFullAtMs) && full(false)) {
            needFull = false;
            nextFullAtMs = now + settings.scanIntervalMs();
            return nextFullAtMs;
        }
        return incremental() ? now : nextFullAtMs;
    }

    /**
     * For a promotion: the stream has been drained and stopped; makes the directory match the table completely.
     *
     * @throws IOException if the table is not a complete copy or a file could not be put in order
     */
    void settle() throws Exception {
        active = () -> true;
        if (!full(true)) {
            throw new IOException("this node holds no complete copy of the file table");
        }
        if (failures > 0) {
            throw new IOException(failures + " file(s) of " + disk.root() + " could not be put in order (see the log)");
        }
    }

    /** Compares everything; false (and nothing done) while the table is not a complete copy. */
    private boolean full(boolean strict) throws Exception {
        if (!db.inSnapshot(FileTables::tableComplete)) {
            needFull = true;
            return false;
        }
        FileTables.Everything all = db.inSnapshot(FileTables::everything); // completeness again, in the same snapshot
        if (!all.tableComplete()) {
            needFull = true;
            return false;
        }
        Map<String, DiskState> onDisk = new HashMap<>();
        disk.walk(onDisk::put);
        TreeSet<String> paths = new TreeSet<>(all.rows().keySet());
        paths.addAll(all.local().keySet());
        paths.addAll(onDisk.keySet());
        counters.materialisePendingFiles.set(0);
        counters.materialisePendingBytes.set(0);
        Map<String, MaterialiseRules.Plan> plans = new HashMap<>();
        for (String path : paths) {
            FileRow row = all.rows().get(path);
            MaterialiseRules.Plan plan = MaterialiseRules.plan(row == null ? null : row.rule(), all.local().get(path),
                    onDisk.getOrDefault(path, DiskState.ABSENT), true);
            if (!(plan instanceof MaterialiseRules.Keep)) {
                plans.put(path, plan);
                pending(row, 1);
            }
        }
        failures = 0;
        for (String path : paths) {
            MaterialiseRules.Plan plan = plans.get(path);
            if (plan != null && active.getAsBoolean()) {
                FileRow row = all.rows().get(path);
                execute(path, plan, row, all.local().get(path));
                pending(row, -1);
            }
        }
        watermark = Math.max(watermark, all.highestVersion());
        if (strict || !plans.isEmpty()) {
            log.info("files directory {} compared with the table: {} rows, {} paths put in order, {} failed", disk.root(),
                    all.rows().size(), plans.size() - failures, failures);
        }
        return true;
    }

    /** Handles versions above the watermark; true if there may be more right away. */
    private boolean incremental() throws Exception {
        List<FileTables.Pending> batch = db.inSnapshot(c -> FileTables.after(c, watermark, BATCH));
        counters.materialisePendingFiles.set(0);
        counters.materialisePendingBytes.set(0);
        batch.forEach(p -> pending(p.row(), 1));
        for (FileTables.Pending p : batch) {
            if (!active.getAsBoolean()) {
                return false;
            }
            FileRow row = p.row();
            MaterialiseRules.Plan plan = MaterialiseRules.plan(row.rule(), p.local(), LocalDisk.stat(disk.resolve(row.path())), true);
            if (!execute(row.path(), plan, row, p.local())) {
                needFull = true; // retried by the next full pass, which also finds whatever a fresh copy moved
            }
            pending(row, -1);
            watermark = row.version();
        }
        return batch.size() == BATCH;
    }

    /** Counts a live version still to be written ({@code sign} 1) or handled (-1), for the backlog metrics. */
    private void pending(FileRow row, int sign) {
        if (row != null && !row.deleted()) {
            counters.materialisePendingFiles.addAndGet(sign);
            counters.materialisePendingBytes.addAndGet(sign * row.size());
        }
    }

    /** Carries out one plan; false if it failed (logged, counted, retried later). */
    private boolean execute(String path, MaterialiseRules.Plan plan, FileRow row, MaterialiseRules.Local local) {
        try {
            if (plan instanceof MaterialiseRules.Write write) {
                if (write.quarantineFirst()) {
                    quarantine(path);
                }
                return write(row);
            } else if (plan instanceof MaterialiseRules.Verify) {
                if (hash(disk.resolve(path)).equals(row.sha256())) {
                    record(row);
                    return true;
                }
                quarantine(path);
                return write(row);
            } else if (plan instanceof MaterialiseRules.Remove) {
                Path file = disk.resolve(path);
                Files.deleteIfExists(file);
                LocalDisk.fsyncDirectory(file.getParent());
                db.inTransaction(c -> {
                    FileTables.forgetLocal(c, path);
                    return null;
                });
                counters.removedFiles.incrementAndGet();
                counters.lastMaterialisedAtMs.set(System.currentTimeMillis());
            } else if (plan instanceof MaterialiseRules.Forget) {
                forget(path);
            } else if (plan instanceof MaterialiseRules.Quarantine) {
                quarantine(path);
                if (local != null) {
                    forget(path);
                }
            }
            return true;
        } catch (Exception e) {
            failures++;
            counters.errors.incrementAndGet();
            log.warn("cannot put {} in order ({}): {}", path, plan.getClass().getSimpleName(), e.toString());
            return false;
        }
    }

    /** Writes {@code row}'s version under its name; false if the table does not (or no longer) hold it whole. */
    private boolean write(FileRow row) throws Exception {
        Path target = disk.resolve(row.path());
        createDirectories(target.getParent());
        Path temp = target.resolveSibling(LocalDisk.TEMP_PREFIX + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        boolean renamed = false;
        try {
            MessageDigest sha = Etags.sha256();
            long[] size = {0};
            boolean whole;
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                whole = db.inSnapshot(c -> FileTables.readChunks(c, row.version(), row.chunkCount(), data -> {
                    if (!active.getAsBoolean()) {
                        throw new IOException("stopped materialising");
                    }
                    ByteBuffer buffer = ByteBuffer.wrap(data);
                    while (buffer.hasRemaining()) {
                        channel.write(buffer);
                    }
                    sha.update(data);
                    size[0] += data.length;
                }));
                if (!whole || size[0] != row.size() || !Etags.hex(sha.digest()).equals(row.sha256())) {
                    log.debug("version {} of {} is not whole in this database (yet); skipped", FileVersions.format(row.version()),
                            row.path());
                    return false;
                }
                channel.force(true);
            }
            if (row.mode() != null) {
                Files.setPosixFilePermissions(temp, LocalDisk.permissions(row.mode()));
            }
            Files.setLastModifiedTime(temp, FileTime.fromMillis(row.mtimeMs()));
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            renamed = true;
            LocalDisk.fsyncDirectory(target.getParent());
        } finally {
            if (!renamed) {
                Files.deleteIfExists(temp);
            }
        }
        record(row);
        counters.materialised(row.size(), System.currentTimeMillis() - row.capturedAtMs());
        return true;
    }

    private void record(FileRow row) throws Exception {
        db.inTransaction(c -> {
            FileTables.recordLocal(c, row.path(), new MaterialiseRules.Local(row.version(), row.size(), row.mtimeMs(), row.sha256()));
            return null;
        });
    }

    private void forget(String path) throws Exception {
        db.inTransaction(c -> {
            FileTables.forgetLocal(c, path);
            return null;
        });
    }

    private void quarantine(String path) throws IOException {
        if (quarantineDir == null) {
            quarantineDir = quarantineRoot.resolve(STAMP.format(Instant.now()));
        }
        if (!(LocalDisk.stat(disk.resolve(path)) instanceof DiskState.Absent)) {
            disk.quarantine(path, quarantineDir);
            counters.quarantined.incrementAndGet();
        }
    }

    /** Creates missing directories and makes each new entry durable in its parent. */
    private void createDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        createDirectories(dir.getParent());
        Files.createDirectory(dir);
        LocalDisk.fsyncDirectory(dir.getParent());
    }

    private static String hash(Path file) throws IOException {
        MessageDigest sha = Etags.sha256();
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                sha.update(buffer, 0, n);
            }
        }
        return Etags.hex(sha.digest());
    }
}
