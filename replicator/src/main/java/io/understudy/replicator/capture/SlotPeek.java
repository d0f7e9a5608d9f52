package io.understudy.replicator.capture;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * Reads what a logical slot still holds, without consuming it: every transaction committed on this database after
 * the slot's confirmed position that touched the publication's tables, decoded from pgoutput. An old primary uses
 * it on the slot its successor streamed from, to learn what it committed that the successor never applied.
 */
public final class SlotPeek {

    /** What a peek found. */
    public sealed interface Outcome {
    }

    /**
     * The slot was readable.
     *
     * @param confirmedFlush the slot's confirmed position: transactions committed up to it were acknowledged
     * @param transactions   the transactions after it, in commit order
     */
    public record Decoded(long confirmedFlush, List<PeekedTransaction> transactions) implements Outcome {
        public Decoded {
            transactions = List.copyOf(transactions);
        }
    }

    /** The slot cannot tell what was committed after it; {@code reason} says why, for operators. */
    public record Unreadable(String reason) implements Outcome {
    }

    private static final int FETCH_ROWS = 500;

    private SlotPeek() {
    }

    /**
     * Peeks {@code slot} with {@code publication} on the database of {@code c}. Leaves the slot exactly as it was.
     * The connection's auto-commit is restored before returning.
     *
     * @throws SQLException when the database fails while answering (a missing or invalidated slot is not a failure)
     */
    public static Outcome peek(Connection c, String slot, String publication) throws SQLException {
        long confirmedFlush;
        try (PreparedStatement ps = c.prepareStatement("SELECT plugin, active_pid, coalesce(wal_status, '') = 'lost'"
                + " OR confirmed_flush_lsn IS NULL, coalesce(confirmed_flush_lsn - '0/0'::pg_lsn, 0)"
                + " FROM pg_replication_slots WHERE slot_name = ? AND slot_type = 'logical'")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return new Unreadable("there is no logical slot " + slot + " on this database");
                }
                if (!"pgoutput".equals(rs.getString(1))) {
                    return new Unreadable("slot " + slot + " uses plugin " + rs.getString(1) + ", not pgoutput");
                }
                if (rs.getObject(2) != null) {
                    return new Unreadable("slot " + slot + " is in use by backend " + rs.getObject(2));
                }
                if (rs.getBoolean(3)) {
                    return new Unreadable("slot " + slot + " was invalidated (the WAL it needed is gone)");
                }
                confirmedFlush = rs.getBigDecimal(4).longValueExact();
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
            ps.setString(1, publication);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return new Unreadable("there is no publication " + publication + " on this database");
                }
            }
        }
        PgOutputDecoder decoder = new PgOutputDecoder();
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false); // a cursor, so a long backlog streams instead of filling memory twice
        try (PreparedStatement ps = c.prepareStatement("SELECT data FROM pg_logical_slot_peek_binary_changes(?, NULL, NULL,"
                + " 'proto_version', '1', 'publication_names', ?)")) {
            ps.setFetchSize(FETCH_ROWS);
            ps.setString(1, slot);
            ps.setString(2, publication);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    decoder.accept(rs.getBytes(1));
                }
            }
        } catch (IllegalArgumentException e) {
            return new Unreadable("slot " + slot + " holds changes this node does not understand: " + e.getMessage());
        } finally {
            c.rollback();
            c.setAutoCommit(autoCommit);
        }
        if (decoder.inTransaction()) {
            return new Unreadable("slot " + slot + " ended inside a transaction");
        }
        return new Decoded(confirmedFlush, decoder.transactions());
    }
}
