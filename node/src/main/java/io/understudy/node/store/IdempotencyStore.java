package io.understudy.node.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Remembered responses to writes that carried an {@code Idempotency-Key}. The table is replicated
 * like everything else, so a retry on a new primary after a failover finds the original answer.
 * Methods run in the caller's write transaction. Stateless and thread-safe.
 */
public final class IdempotencyStore {

    public record Remembered(String requestHash, int status, String etag, byte[] body) {
    }

    /**
     * Serialises writes with the same key until the transaction ends, then returns what an earlier
     * write with this key answered, if any.
     */
    public Optional<Remembered> lockAndFind(Connection c, String key) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 7))")) {
            lock.setString(1, key);
            lock.executeQuery().close();
        }
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT request_hash, status, etag, response_body FROM idempotency_keys WHERE key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next()
                        ? Optional.of(new Remembered(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getBytes(4)))
                        : Optional.empty();
            }
        }
    }

    public void remember(Connection c, String key, Remembered response, long epoch) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO idempotency_keys (key, request_hash, status, etag, response_body, written_epoch)"
                        + " VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, key);
            ps.setString(2, response.requestHash());
            ps.setInt(3, response.status());
            ps.setString(4, response.etag());
            ps.setBytes(5, response.body());
            ps.setLong(6, epoch);
            ps.executeUpdate();
        }
    }
}
