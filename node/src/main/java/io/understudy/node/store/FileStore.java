package io.understudy.node.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * The data repository: binary files stored in the node's database in fixed-size chunks, so one
 * replication path carries metadata and files. Uploads and downloads stream one chunk at a time;
 * a whole file is never held in memory. Stateless and thread-safe.
 */
public final class FileStore {

    public static final int CHUNK_BYTES = 256 * 1024;

    public record FileInfo(String path, long size, String contentType, String sha256, int chunkCount, String etag) {
    }

    /** Thrown when an upload exceeds the configured limit; the transaction must roll back. */
    public static final class TooLargeException extends IOException {
        public TooLargeException(long limit) {
            super("file exceeds the limit of " + limit + " bytes");
        }
    }

    public Optional<FileInfo> info(Connection c, String path) throws SQLException {
        return find(c, path, "");
    }

    /**
     * Replaces the file at {@code path} with the stream's content, within the caller's transaction.
     *
     * @throws TooLargeException when more than {@code maxBytes} arrive
     */
    public WriteOutcome put(Connection c, String path, InputStream in, String contentType, long maxBytes,
                            Precondition pre, long epoch) throws SQLException, IOException {
        Optional<FileInfo> current = lock(c, path);
        if (!pre.allows(current.map(FileInfo::etag).orElse(null))) {
            return new WriteOutcome.PreconditionFailed(current.map(FileInfo::etag).orElse(null));
        }
        deleteChunks(c, path);
        MessageDigest digest = Etags.sha256();
        long size = 0;
        int seq = 0;
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO file_chunks (path, seq, data) VALUES (?, ?, ?)")) {
            byte[] chunk;
            while ((chunk = in.readNBytes(CHUNK_BYTES)).length > 0) {
                size += chunk.length;
                if (size > maxBytes) {
                    throw new TooLargeException(maxBytes);
                }
                digest.update(chunk);
                insert.setString(1, path);
                insert.setInt(2, seq++);
                insert.setBytes(3, chunk);
                insert.executeUpdate();
            }
        }
        String sha = Etags.hex(digest.digest());
        String etag = sha.substring(0, 32);
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO files (path, size, content_type, sha256, chunk_count, etag, written_epoch, updated_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, now()) ON CONFLICT (path) DO UPDATE SET size = excluded.size,"
                        + " content_type = excluded.content_type, sha256 = excluded.sha256,"
                        + " chunk_count = excluded.chunk_count, etag = excluded.etag,"
                        + " written_epoch = excluded.written_epoch, updated_at = now()")) {
            ps.setString(1, path);
            ps.setLong(2, size);
            ps.setString(3, contentType);
            ps.setString(4, sha);
            ps.setInt(5, seq);
            ps.setString(6, etag);
            ps.setLong(7, epoch);
            ps.executeUpdate();
        }
        return new WriteOutcome.Written(etag, 0, current.isEmpty());
    }

    public WriteOutcome delete(Connection c, String path, Precondition pre) throws SQLException {
        Optional<FileInfo> current = lock(c, path);
        if (current.isEmpty()) {
            return pre.ifMatch() != null ? new WriteOutcome.PreconditionFailed(null) : new WriteOutcome.NotFound();
        }
        if (!pre.allows(current.get().etag())) {
            return new WriteOutcome.PreconditionFailed(current.get().etag());
        }
        deleteChunks(c, path);
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM files WHERE path = ?")) {
            ps.setString(1, path);
            ps.executeUpdate();
        }
        return new WriteOutcome.Deleted();
    }

    /** Writes the file's chunks in order; call inside one snapshot transaction with the {@link #info}. */
    public void copyContent(Connection c, FileInfo file, OutputStream out) throws SQLException, IOException {
        try (PreparedStatement ps = c.prepareStatement("SELECT data FROM file_chunks WHERE path = ? AND seq = ?")) {
            for (int seq = 0; seq < file.chunkCount(); seq++) {
                ps.setString(1, file.path());
                ps.setInt(2, seq);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new SQLException("chunk " + seq + " of " + file.path() + " is missing");
                    }
                    out.write(rs.getBytes(1));
                }
            }
        }
    }

    /** The file's row, locked until the transaction ends. */
    private static Optional<FileInfo> lock(Connection c, String path) throws SQLException {
        return find(c, path, " FOR UPDATE");
    }

    private static Optional<FileInfo> find(Connection c, String path, String lockClause) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT size, content_type, sha256, chunk_count, etag FROM files WHERE path = ?" + lockClause)) {
            ps.setString(1, path);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next()
                        ? Optional.of(new FileInfo(path, rs.getLong(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                                rs.getString(5)))
                        : Optional.empty();
            }
        }
    }

    private static void deleteChunks(Connection c, String path) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM file_chunks WHERE path = ?")) {
            ps.setString(1, path);
            ps.executeUpdate();
        }
    }
}
