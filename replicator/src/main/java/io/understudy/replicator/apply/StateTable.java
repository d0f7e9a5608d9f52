package io.understudy.replicator.apply;

import io.understudy.replicator.AppliedState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * The target's {@code understudy_replica_state} table: one row per stream, written in the same local transaction
 * as the changes it accounts for. Local to the target, never replicated.
 */
public final class StateTable {

    public static final String NAME = "understudy_replica_state";

    /** Records a stream's position; a stored position never moves backwards. */
    private static final String UPSERT = "INSERT INTO " + NAME + " AS s (source_id, commit_position, source_commit_ts_ms,"
            + " snapshot_complete, scope, updated_at) VALUES (?, ?, ?, ?, ?, now()) ON CONFLICT (source_id) DO UPDATE SET"
            + " commit_position = EXCLUDED.commit_position, source_commit_ts_ms = EXCLUDED.source_commit_ts_ms,"
            + " snapshot_complete = EXCLUDED.snapshot_complete, scope = EXCLUDED.scope, updated_at = now()"
            + " WHERE s.commit_position <= EXCLUDED.commit_position";

    private StateTable() {
    }

    public static void ensureExists(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS " + NAME + " (source_id text PRIMARY KEY, commit_position bigint NOT NULL,"
                    + " source_commit_ts_ms bigint NOT NULL, snapshot_complete boolean NOT NULL, updated_at timestamptz NOT NULL)");
            st.execute("ALTER TABLE " + NAME + " ADD COLUMN IF NOT EXISTS scope text");
        }
    }

    public static Optional<AppliedState> read(Connection c, String sourceId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT commit_position, source_commit_ts_ms, snapshot_complete, scope FROM "
                + NAME + " WHERE source_id = ?")) {
            ps.setString(1, sourceId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new AppliedState(sourceId, rs.getLong(1), rs.getLong(2), rs.getBoolean(3), rs.getString(4))) : Optional.empty();
            }
        }
    }

    /**
     * Records a position and the scope the target's copy belongs to; never moves a stored position backwards (a stale
     * writer changes nothing).
     */
    public static void write(Connection c, AppliedState state, String scope) throws SQLException {
        write(c, state, scope, null);
    }

    /**
     * As {@link #write(Connection, AppliedState, String)}, and evaluates {@code select} (a select list, e.g. of
     * {@code set_config} calls) in the same statement: one round trip for both.
     */
    static void write(Connection c, AppliedState state, String scope, String select) throws SQLException {
        // A data-modifying WITH runs to completion whether or not the query reads it.
        try (PreparedStatement ps = c.prepareStatement(select == null ? UPSERT : "WITH state AS (" + UPSERT + ") SELECT " + select)) {
            ps.setString(1, state.sourceId());
            ps.setLong(2, state.commitPosition());
            ps.setLong(3, state.sourceCommitTsMs());
            ps.setBoolean(4, state.snapshotComplete());
            ps.setString(5, scope);
            ps.execute();
        }
    }

    /** Forgets every stream (a fresh sync replaces whatever the target held). */
    public static int deleteAll(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            return st.executeUpdate("DELETE FROM " + NAME);
        }
    }
}
