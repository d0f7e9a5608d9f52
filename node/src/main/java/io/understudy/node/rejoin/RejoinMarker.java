package io.understudy.node.rejoin;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * The node database's own note that it took writes as primary of an epoch and has not yet been checked for
 * divergence: a restarted old primary learns from it that it must check before it follows anyone. A local table
 * (created by migration V2), never replicated (it is not among the replicated tables) and untouched by a fresh sync.
 */
public final class RejoinMarker {

    static final String TABLE = "understudy_primary_epoch";

    private final DataSource db;

    public RejoinMarker(DataSource db) {
        this.db = db;
    }

    /** The epoch this database last served as primary in and that no rejoin has resolved yet; 0 for none. */
    public long unresolvedEpoch() throws SQLException {
        try (Connection c = db.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT epoch FROM " + TABLE + " WHERE NOT resolved")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /** On promotion, before the write gate opens: this database now takes writes in {@code epoch}. */
    public void servingAsPrimary(long epoch) throws SQLException {
        write(epoch, false);
    }

    /** After a divergence check handled everything written in {@code epoch}. */
    public void resolved(long epoch) throws SQLException {
        write(epoch, true);
    }

    private void write(long epoch, boolean resolved) throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " (id, epoch, resolved, updated_at)"
                     + " VALUES (1, ?, ?, now()) ON CONFLICT (id) DO UPDATE SET epoch = EXCLUDED.epoch,"
                     + " resolved = EXCLUDED.resolved, updated_at = now()")) {
            ps.setLong(1, epoch);
            ps.setBoolean(2, resolved);
            ps.executeUpdate();
        }
    }
}
