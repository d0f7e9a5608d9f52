package io.understudy.replicator.apply;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the changes of one local transaction in order, sending consecutive statements with the same text as one JDBC
 * batch: one round trip to the target instead of one per change. A statement alone runs as itself, so its error
 * names its change ({@link FailedChange}); a failing batch throws {@link Failed}, and the caller applies the whole
 * transaction again without batching to name the change. Used inside one transaction, from the engine thread.
 */
final class StatementBatch {

    /** The most statements sent as one batch. */
    static final int MAX_SIZE = 1000;

    /** A batch of several statements failed; the local transaction must be rolled back. */
    static final class Failed extends RuntimeException {

        Failed(int size, SQLException cause) {
            super("a batch of " + size + " statements failed [SQLSTATE " + cause.getSQLState() + "]", cause);
        }
    }

    private record Pending(TableMeta meta, Change change, SqlStatement statement) {
    }

    private final Connection c;
    private final boolean batching;
    private final List<Pending> pending = new ArrayList<>();

    /** @param batching false to run each statement on its own (to name the change a failed batch held) */
    StatementBatch(Connection c, boolean batching) {
        this.c = c;
        this.batching = batching;
    }

    /** Runs {@code statement} (for {@code change}) now, or with the next ones of the same text. */
    void add(TableMeta meta, Change change, SqlStatement statement) throws SQLException {
        if (!pending.isEmpty() && (pending.size() >= MAX_SIZE || !pending.get(0).statement().sql().equals(statement.sql()))) {
            flush();
        }
        pending.add(new Pending(meta, change, statement));
        if (!batching) {
            flush();
        }
    }

    /** Runs every statement still held; the transaction's next statement must not run before this. */
    void flush() throws SQLException {
        if (pending.isEmpty()) {
            return;
        }
        try {
            if (pending.size() == 1) {
                Pending p = pending.get(0);
                try {
                    execute(c, p.statement());
                } catch (SQLException e) {
                    throw new FailedChange(p.meta(), p.change(), e);
                }
            } else {
                executeBatch();
            }
        } finally {
            pending.clear();
        }
    }

    private void executeBatch() throws SQLException {
        SqlStatement first = pending.get(0).statement();
        try (PreparedStatement ps = c.prepareStatement(first.sql())) {
            for (Pending p : pending) {
                bind(ps, p.statement());
                ps.addBatch();
            }
            int[] counts;
            try {
                counts = ps.executeBatch();
            } catch (SQLException e) {
                throw new Failed(pending.size(), e);
            } catch (AssertionError e) {
                // With assertions enabled, the driver trips its own assertion while reporting a batch whose connection
                // broke (it asks the dead connection for its autocommit mode); without, it reports the broken connection.
                if (c.isValid(1)) {
                    throw e;
                }
                throw new Failed(pending.size(), new SQLException("the target's connection broke during a batch (" + e.getMessage() + ")",
                        "08006", e));
            }
            for (int count : counts) {
                requireOneRow(first, count);
            }
        }
    }

    static void execute(Connection c, SqlStatement statement) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(statement.sql())) {
            bind(ps, statement);
            requireOneRow(statement, ps.executeUpdate());
        }
    }

    private static void bind(PreparedStatement ps, SqlStatement statement) throws SQLException {
        for (int i = 0; i < statement.params().size(); i++) {
            Object value = statement.params().get(i);
            if (value == null) {
                ps.setNull(i + 1, Types.VARCHAR);
            } else if (value instanceof byte[] bytes) {
                ps.setBytes(i + 1, bytes);
            } else {
                ps.setString(i + 1, (String) value);
            }
        }
    }

    private static void requireOneRow(SqlStatement statement, int count) {
        if (statement.mustTouchOneRow() && count != 1) {
            throw new ApplyException("expected one row for " + statement.sql() + " but " + count + " matched: the target"
                    + " lacks the row the source changed");
        }
    }
}
