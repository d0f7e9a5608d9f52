package io.understudy.node.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Metadata objects: JSON documents stored byte for byte, with a content-derived entity tag and a
 * per-object version. Methods take the caller's connection so a write and its idempotency record
 * share one transaction. Stateless and thread-safe.
 */
public final class ObjectStore {

    public record StoredObject(String id, byte[] body, String etag, long version, long updatedAtMs) {
    }

    public record Summary(String id, String etag, long version, long size) {
    }

    public Optional<StoredObject> get(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT body, etag, version, updated_at FROM objects WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new StoredObject(id, rs.getBytes(1), rs.getString(2), rs.getLong(3),
                        rs.getTimestamp(4).getTime()));
            }
        }
    }

    /**
     * Stores {@code body} (whose {@link Etags#of} is {@code etag}). Without a precondition the upsert alone decides,
     * atomically: one statement, no read of the current row first.
     */
    public WriteOutcome put(Connection c, String id, byte[] body, String etag, Precondition pre, long epoch) throws SQLException {
        if (!pre.unconditional()) {
            String currentEtag = lockCurrent(c, id).map(r -> r[0]).orElse(null);
            if (!pre.allows(currentEtag)) {
                return new WriteOutcome.PreconditionFailed(currentEtag);
            }
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO objects (id, body, etag, version, written_epoch, updated_at) VALUES (?, ?, ?, 1, ?, now())"
                        + " ON CONFLICT (id) DO UPDATE SET body = excluded.body, etag = excluded.etag,"
                        + " version = objects.version + 1, written_epoch = excluded.written_epoch, updated_at = now()"
                        + " RETURNING version")) {
            ps.setString(1, id);
            ps.setBytes(2, body);
            ps.setString(3, etag);
            ps.setLong(4, epoch);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long version = rs.getLong(1);
                return new WriteOutcome.Written(etag, version, version == 1);
            }
        }
    }

    public WriteOutcome delete(Connection c, String id, Precondition pre) throws SQLException {
        Optional<String[]> current = lockCurrent(c, id);
        if (current.isEmpty()) {
            return pre.ifMatch() != null ? new WriteOutcome.PreconditionFailed(null) : new WriteOutcome.NotFound();
        }
        if (!pre.allows(current.get()[0])) {
            return new WriteOutcome.PreconditionFailed(current.get()[0]);
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM objects WHERE id = ?")) {
            ps.setString(1, id);
            ps.executeUpdate();
        }
        return new WriteOutcome.Deleted();
    }

    /** Objects whose id starts with {@code prefix}, in id order, after {@code after} (exclusive; null for the start). */
    public List<Summary> list(Connection c, String prefix, String after, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT id, etag, version, octet_length(body) FROM objects"
                        + " WHERE starts_with(id, ?) AND (?::text IS NULL OR id > ?) ORDER BY id LIMIT ?")) {
            ps.setString(1, prefix);
            ps.setString(2, after);
            ps.setString(3, after);
            ps.setInt(4, limit);
            List<Summary> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Summary(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4)));
                }
            }
            return out;
        }
    }

    /** The current etag and version, row-locked until the transaction ends; empty when absent. */
    private static Optional<String[]> lockCurrent(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT etag, version FROM objects WHERE id = ? FOR UPDATE")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new String[] {rs.getString(1), rs.getString(2)}) : Optional.empty();
            }
        }
    }
}
