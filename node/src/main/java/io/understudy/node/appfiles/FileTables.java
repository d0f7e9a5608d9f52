package io.understudy.node.appfiles;

import io.understudy.replicator.apply.StateTable;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * SQL on the file tables ({@code understudy.app_files}, {@code app_file_chunks}, {@code app_files_local}), within the
 * caller's connection and transaction. Stateless.
 */
final class FileTables {

    /**
     * Chunk size: one bytea value per chunk, never a whole file. Smaller than the built-in file store's 256 KiB: the
     * stream carries bytea as hex text, and 128 KiB of text stays below the size at which a small heap's collector
     * must give each object regions of its own (half a 1 MiB region).
     */
    static final int CHUNK_BYTES = 64 * 1024;

    private static final String ROW_COLUMNS = "path, version, deleted, size, sha256, mtime_ms, mode, chunk_count, captured_at_ms";

    private FileTables() {
    }

    /** Content arriving chunk by chunk, in order. */
    interface ChunkSink {
        void accept(byte[] data) throws IOException;
    }

    /** A row with this node's record of the same path (null if none). */
    record Pending(FileRow row, MaterialiseRules.Local local) {
    }

    /** Every row and every local record, read in one snapshot, and the highest version among the rows. */
    record Everything(Map<String, FileRow> rows, Map<String, MaterialiseRules.Local> local, long highestVersion,
                      boolean tableComplete) {
    }

    // ---- capture (primary) ----

    /** The live captured versions by path: what the table says the directory holds. */
    static TreeMap<String, CaptureRules.Known> live(Connection c) throws SQLException {
        TreeMap<String, CaptureRules.Known> out = new TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT path, size, mtime_ms FROM understudy.app_files WHERE NOT deleted")) {
            ps.setFetchSize(1000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), new CaptureRules.Known(rs.getLong(2), rs.getLong(3)));
                }
            }
        }
        return out;
    }

    /** The highest version used in {@code epoch} by a row or a chunk, or the epoch's floor. */
    static long highestVersion(Connection c, long epoch) throws SQLException {
        long floor = FileVersions.floor(epoch);
        try (PreparedStatement ps = c.prepareStatement("SELECT greatest(?,"
                + " (SELECT max(version) FROM understudy.app_files WHERE version > ? AND version < ?),"
                + " (SELECT max(version) FROM understudy.app_file_chunks WHERE version > ? AND version < ?))")) {
            long ceiling = floor + (1L << 32);
            ps.setLong(1, floor);
            ps.setLong(2, floor);
            ps.setLong(3, ceiling);
            ps.setLong(4, floor);
            ps.setLong(5, ceiling);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Deletes chunks of versions no row names: what captures interrupted by a crash or a demotion left. */
    static int deleteOrphanChunks(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            return st.executeUpdate("DELETE FROM understudy.app_file_chunks k WHERE NOT EXISTS"
                    + " (SELECT 1 FROM understudy.app_files f WHERE f.version = k.version AND NOT f.deleted)");
        }
    }

    static void deleteChunks(Connection c, long version) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM understudy.app_file_chunks WHERE version = ?")) {
            ps.setLong(1, version);
            ps.executeUpdate();
        }
    }

    /** Deletes tombstones captured before {@code beforeMs}; a secondary that missed one finds out at its next full pass. */
    static int pruneTombstones(Connection c, long beforeMs) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM understudy.app_files WHERE deleted AND captured_at_ms < ?")) {
            ps.setLong(1, beforeMs);
            return ps.executeUpdate();
        }
    }

    static PreparedStatement chunkInsert(Connection c) throws SQLException {
        return c.prepareStatement("INSERT INTO understudy.app_file_chunks (version, seq, data) VALUES (?, ?, ?)");
    }

    /** Adds a chunk to the insert's batch; {@code data} must not change until the batch is executed. */
    static void addChunk(PreparedStatement insert, long version, int seq, byte[] data) throws SQLException {
        insert.setLong(1, version);
        insert.setInt(2, seq);
        insert.setBytes(3, data);
        insert.addBatch();
    }

    /**
     * Makes {@code row} the path's current version (its chunks must be written), drops the chunks of the version it
     * replaces, and records that this node's directory holds it.
     */
    static void makeCurrent(Connection c, FileRow row, long epoch) throws SQLException {
        Long previous = lockedVersion(c, row.path());
        if (previous != null && previous != row.version()) {
            deleteChunks(c, previous);
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO understudy.app_files (" + ROW_COLUMNS + ", captured_epoch)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (path) DO UPDATE SET version = excluded.version,"
                + " deleted = excluded.deleted, size = excluded.size, sha256 = excluded.sha256, mtime_ms = excluded.mtime_ms,"
                + " mode = excluded.mode, chunk_count = excluded.chunk_count, captured_at_ms = excluded.captured_at_ms,"
                + " captured_epoch = excluded.captured_epoch")) {
            ps.setString(1, row.path());
            ps.setLong(2, row.version());
            ps.setBoolean(3, row.deleted());
            ps.setLong(4, row.size());
            ps.setString(5, row.sha256());
            ps.setLong(6, row.mtimeMs());
            if (row.mode() == null) {
                ps.setNull(7, Types.INTEGER);
            } else {
                ps.setInt(7, row.mode());
            }
            ps.setInt(8, row.chunkCount());
            ps.setLong(9, row.capturedAtMs());
            ps.setLong(10, epoch);
            ps.executeUpdate();
        }
        if (row.deleted()) {
            forgetLocal(c, row.path());
        } else {
            recordLocal(c, row.path(), new MaterialiseRules.Local(row.version(), row.size(), row.mtimeMs(), row.sha256()));
        }
    }

    /** The path's current version, its row locked until the transaction ends; null if it has none. */
    private static Long lockedVersion(Connection c, String path) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT version FROM understudy.app_files WHERE path = ? FOR UPDATE")) {
            ps.setString(1, path);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    // ---- materialisation (secondary) ----

    /**
     * Whether this database holds a complete copy of the replicated tables, read in the caller's snapshot: a fresh
     * copy empties the replicated tables and forgets the stream's state in one transaction, so a complete state row
     * means complete tables.
     */
    static boolean tableComplete(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT to_regclass('" + StateTable.NAME + "') IS NOT NULL")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                return false;
            }
        }
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT coalesce(bool_or(snapshot_complete), false) FROM " + StateTable.NAME)) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /** Call inside one snapshot transaction. */
    static Everything everything(Connection c) throws SQLException {
        boolean complete = tableComplete(c);
        Map<String, FileRow> rows = new TreeMap<>();
        long highest = 0;
        try (PreparedStatement ps = c.prepareStatement("SELECT " + ROW_COLUMNS + " FROM understudy.app_files")) {
            ps.setFetchSize(1000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    FileRow row = row(rs, 1);
                    rows.put(row.path(), row);
                    highest = Math.max(highest, row.version());
                }
            }
        }
        Map<String, MaterialiseRules.Local> local = new TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT path, version, size, mtime_ms, sha256 FROM understudy.app_files_local")) {
            ps.setFetchSize(1000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    local.put(rs.getString(1), new MaterialiseRules.Local(rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getString(5)));
                }
            }
        }
        return new Everything(rows, local, highest, complete);
    }

    /** Up to {@code limit} rows with a version above {@code after}, in version order, each with its local record. */
    static List<Pending> after(Connection c, long after, int limit) throws SQLException {
        List<Pending> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT f.path, f.version, f.deleted, f.size, f.sha256, f.mtime_ms, f.mode,"
                + " f.chunk_count, f.captured_at_ms, l.version, l.size, l.mtime_ms, l.sha256 FROM understudy.app_files f"
                + " LEFT JOIN understudy.app_files_local l ON l.path = f.path WHERE f.version > ? ORDER BY f.version LIMIT ?")) {
            ps.setLong(1, after);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    MaterialiseRules.Local local = rs.getString(13) == null ? null
                            : new MaterialiseRules.Local(rs.getLong(10), rs.getLong(11), rs.getLong(12), rs.getString(13));
                    out.add(new Pending(row(rs, 1), local));
                }
            }
        }
        return out;
    }

    /** The current row of {@code path}, or null. */
    static FileRow row(Connection c, String path) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + ROW_COLUMNS + " FROM understudy.app_files WHERE path = ?")) {
            ps.setString(1, path);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? row(rs, 1) : null;
            }
        }
    }

    /**
     * Hands the version's chunks to {@code sink} in order, a few at a time (a cursor); call inside one snapshot
     * transaction.
     *
     * @return false if a chunk is missing (the version is not, or no longer, complete in this database)
     */
    static boolean readChunks(Connection c, long version, int chunkCount, ChunkSink sink) throws SQLException, IOException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT seq, data FROM understudy.app_file_chunks WHERE version = ? ORDER BY seq")) {
            ps.setFetchSize(16);
            ps.setLong(1, version);
            int expected = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getInt(1) != expected) {
                        return false;
                    }
                    sink.accept(rs.getBytes(2));
                    expected++;
                }
            }
            return expected == chunkCount;
        }
    }

    static void recordLocal(Connection c, String path, MaterialiseRules.Local local) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO understudy.app_files_local (path, version, size, mtime_ms, sha256)"
                + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (path) DO UPDATE SET version = excluded.version, size = excluded.size,"
                + " mtime_ms = excluded.mtime_ms, sha256 = excluded.sha256")) {
            ps.setString(1, path);
            ps.setLong(2, local.version());
            ps.setLong(3, local.size());
            ps.setLong(4, local.mtimeMs());
            ps.setString(5, local.sha256());
            ps.executeUpdate();
        }
    }

    static void forgetLocal(Connection c, String path) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM understudy.app_files_local WHERE path = ?")) {
            ps.setString(1, path);
            ps.executeUpdate();
        }
    }

    private static FileRow row(ResultSet rs, int first) throws SQLException {
        int mode = rs.getInt(first + 6);
        Integer modeOrNull = rs.wasNull() ? null : mode;
        return new FileRow(rs.getString(first), rs.getLong(first + 1), rs.getBoolean(first + 2), rs.getLong(first + 3),
                rs.getString(first + 4), rs.getLong(first + 5), modeOrNull, rs.getInt(first + 7), rs.getLong(first + 8));
    }
}
