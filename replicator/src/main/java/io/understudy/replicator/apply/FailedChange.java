package io.understudy.replicator.apply;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Names what went wrong when the target rejected a change: the table, and the column when one can be found. The
 * local transaction is already rolled back when {@link #describe} runs, so it probes each value of the change on a
 * fresh connection with the same cast the statement used ({@code SELECT ?::<column type>}): the first value the
 * target cannot take is the schema mismatch.
 */
final class FailedChange extends SQLException {

    private final transient TableMeta meta;
    private final transient Change change;

    FailedChange(TableMeta meta, Change change, SQLException cause) {
        super(cause.getMessage(), cause.getSQLState(), cause);
        this.meta = meta;
        this.change = change;
    }

    /** A message naming the table, the operation, the row's key, and the column if a probe finds it. */
    String describe(DataSource target) {
        SQLException cause = (SQLException) getCause();
        String what = change.op().name().toLowerCase() + " on " + meta.table() + " (key " + key() + ")";
        String column = offendingColumn(target);
        if (column != null) {
            return "schema mismatch: " + what + ": " + column;
        }
        String pgColumn = cause instanceof org.postgresql.util.PSQLException p && p.getServerErrorMessage() != null
                ? p.getServerErrorMessage().getColumn() : null;
        return "target rejected " + what + (pgColumn == null ? "" : ", column " + meta.table() + "." + pgColumn) + ": "
                + cause.getMessage();
    }

    private String key() {
        Map<String, Object> values = change.op() == Change.Op.DELETE ? change.key() : change.after();
        StringBuilder sb = new StringBuilder();
        for (String pk : meta.primaryKey()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(pk).append('=').append(values.get(pk) instanceof String s ? s : "?");
        }
        return sb.toString();
    }

    private String offendingColumn(DataSource target) {
        Map<String, ColumnMeta> columns = meta.byName();
        try (Connection c = target.getConnection()) {
            for (Map.Entry<String, Object> e : change.after().entrySet()) {
                ColumnMeta column = columns.get(e.getKey());
                if (column == null || !(e.getValue() instanceof String value)) {
                    continue;
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT ?::" + column.sqlType())) {
                    ps.setString(1, value);
                    ps.execute();
                } catch (SQLException probe) {
                    return "column " + meta.table() + "." + column.name() + " is " + column.sqlType()
                            + " on the target and cannot take the source's value (" + probe.getMessage() + ")";
                }
            }
        } catch (SQLException e) {
            return null; // the target is unreachable; the original error is reported instead
        }
        return null;
    }
}
