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
import java.util.Arrays;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one version of one path into the file tables. The file is read chunk by chunk, hashing as it goes, its chunks
 * committed in transactions of {@link #CHUNKS_PER_TRANSACTION}; the row that makes the version current is written in
 * the transaction of the last chunks. Until then the version is invisible (on every node), and no transaction holds
 * more than a few MiB: nor does a secondary's replicator, which holds one source transaction at a time.
 */
final class VersionCapture {

    private static final Logger log = LoggerFactory.getLogger(VersionCapture.class);
    /** Chunks per transaction: 4 MiB. */
    static final int CHUNKS_PER_TRANSACTION = 64;

    /** How a capture ended. */
    enum Outcome {
        /** The version is current. */
        CAPTURED,
        /** The file changed while it was read (or capturing stopped): nothing is visible; try again when quiet. */
        UNSTABLE,
        /** The file went away while it was read. */
        VANISHED
    }

    private final Database db;

    VersionCapture(Database db) {
        this.db = db;
    }

    /**
     * Reads {@code file}, as it was when {@code before} was read, into {@code version} and makes it current, while
     * {@code active} holds.
     *
     * @throws IOException when the file cannot be read (permissions, an I/O error)
     */
    Outcome file(String path, Path file, DiskState.File before, long version, long epoch, BooleanSupplier active)
            throws IOException, SQLException {
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
                for (int read = fill(channel, buffer); read > 0; read = fill(channel, buffer)) {
                    size += read;
                    if (size > before.size() || !active.getAsBoolean()) {
                        return Outcome.UNSTABLE; // grew while read, or the node stopped capturing
                    }
                    byte[] chunk = Arrays.copyOf(buffer.array(), read); // held by the batch until it is executed
                    sha.update(chunk);
                    FileTables.addChunk(insert, version, seq++, chunk);
                    if (seq % CHUNKS_PER_TRANSACTION == 0) {
                        insert.executeBatch();
                        c.commit();
                        chunksCommitted = true;
                    }
                }
                insert.executeBatch();
                if (size != before.size() || !LocalDisk.stat(file).isFile(before.size(), before.mtimeMs())) {
                    return Outcome.UNSTABLE;
                }
                FileTables.makeCurrent(c, new FileRow(path, version, false, size, Etags.hex(sha.digest()), before.mtimeMs(), mode,
                        seq, System.currentTimeMillis()), epoch);
                c.commit();
                done = true;
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

    /** Makes {@code version} the tombstone of {@code path}. */
    void deletion(String path, long version, long epoch) throws Exception {
        long now = System.currentTimeMillis();
        db.inTransaction(c -> {
            FileTables.makeCurrent(c, new FileRow(path, version, true, 0, null, now, null, 0, now), epoch);
            return null;
        });
        log.debug("captured the deletion of {} as version {}", path, FileVersions.format(version));
    }

    /** Reads up to a whole chunk; returns how much, 0 at the end of the file. */
    private static int fill(FileChannel channel, ByteBuffer buffer) throws IOException {
        buffer.clear();
        while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
            // a file channel returns at least one byte per read until the end
        }
        return buffer.position();
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
}
