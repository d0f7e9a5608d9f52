package io.understudy.replicator.apply;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * Runs a captured schema change on the target when its row of the DDL log is applied: inside the same local
 * transaction as the changes around it, as the role that ran it on the primary and with that session's search path,
 * so the objects it creates get the same owner and its unqualified names the same meaning. The apply transaction
 * runs with {@code session_replication_role = replica}, so the target's own capture trigger does not fire for it.
 */
final class DdlReplay {

    /** The replicated DDL log (see the capture trigger). */
    static final TableName LOG = TableName.parse("understudy.ddl_log");

    private DdlReplay() {
    }

    /** Runs the statement {@code row} (a streamed row of {@link #LOG}) records. */
    static void run(Connection c, Map<String, Object> row) throws SQLException {
        String tag = text(row, "command_tag");
        String statement = DdlStatement.forTransaction(DdlStatement.find(text(row, "query"), Integer.parseInt(text(row, "ordinal")), tag));
        String role = text(row, "role_name");
        String path;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT current_setting('search_path')")) {
            rs.next();
            path = rs.getString(1);
        }
        setSearchPath(c, text(row, "search_path"));
        try (Statement st = c.createStatement()) {
            st.setEscapeProcessing(false);
            st.execute("SET LOCAL ROLE " + TableName.quote(role));
            try {
                st.execute(statement);
            } catch (SQLException e) {
                throw new SQLException("schema change " + row.get("id") + " (" + tag + " as role " + role + ") failed on the target: "
                        + e.getMessage() + "; statement: " + statement, e.getSQLState(), e);
            }
            st.execute("SET LOCAL ROLE NONE");
        }
        setSearchPath(c, path);
    }

    private static void setSearchPath(Connection c, String path) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT set_config('search_path', ?, true)")) {
            ps.setString(1, path);
            ps.execute();
        }
    }

    private static String text(Map<String, Object> row, String column) {
        Object value = row.get(column);
        if (!(value instanceof String s)) {
            throw new ApplyException("row of " + LOG + " lacks " + column + " (got " + value + ")");
        }
        return s;
    }
}
