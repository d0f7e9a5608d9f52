package io.understudy.replicator.apply;

import io.understudy.replicator.AppliedState;
import io.understudy.replicator.capture.SchemaCopy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Applies units of changes to the target, each in one local JDBC transaction together with the stream's state
 * row. On any error the transaction is rolled back and an {@link ApplyException} says which change failed.
 * Used from the engine thread only.
 */
public final class TargetWriter {

    private final DataSource target;
    private final String sourceId;
    private final String scope;
    private final TargetCatalog catalog = new TargetCatalog();
    private Boolean replicaRole;

    /** @param scope the stream's replication scope, recorded with every position (see {@link StateTable#write}) */
    public TargetWriter(DataSource target, String sourceId, String scope) {
        this.target = target;
        this.sourceId = sourceId;
        this.scope = scope;
    }

    public static Optional<AppliedState> readState(DataSource target, String sourceId) throws SQLException {
        try (Connection c = target.getConnection()) {
            try (ResultSet rs = c.getMetaData().getTables(null, null, StateTable.NAME, null)) {
                if (!rs.next()) {
                    return Optional.empty();
                }
            }
            return StateTable.read(c, sourceId);
        }
    }

    /** Creates the state table if needed and returns this stream's stored state. */
    public Optional<AppliedState> prepare() throws SQLException {
        try (Connection c = target.getConnection()) {
            c.setAutoCommit(true);
            StateTable.ensureExists(c);
            return StateTable.read(c, sourceId);
        }
    }

    /**
     * Fresh sync, atomically: forgets all streams' state, replaces the captured schemas with the primary's definitions
     * ({@code copy}, if any) and empties the other replicated tables.
     */
    public void resetForFreshSync(List<TableName> tables, SchemaCopy copy) throws SQLException {
        inTransaction(c -> {
            StateTable.deleteAll(c);
            StateTable.write(c, new AppliedState(sourceId, 0, 0, false), scope);
            List<TableName> kept = tables;
            if (copy != null) {
                copy.restoreInto(c);
                replicaRole(c);
                kept = tables.stream().filter(t -> !copy.schemas().contains(t.schema())).toList();
            }
            if (!kept.isEmpty()) {
                execute(c, ChangeApplier.truncate(kept));
            }
        });
    }

    /** Applies the changes and records {@code state}, all or nothing. */
    public void apply(List<Change> changes, AppliedState state) {
        applyTransactions(List.of(changes), state);
    }

    /**
     * Applies several complete source transactions, in order, and records {@code state} (the last one's position),
     * all in one local transaction: all or nothing.
     */
    public void applyTransactions(List<List<Change>> transactions, AppliedState state) {
        try {
            inTransaction(c -> {
                for (List<Change> changes : transactions) {
                    applyOne(c, changes);
                }
                StateTable.write(c, state, scope);
            });
        } catch (FailedChange e) {
            throw new ApplyException(e.describe(target), e.getCause());
        } catch (SQLException e) {
            int count = transactions.stream().mapToInt(List::size).sum();
            throw new ApplyException("applying " + count + " change(s) of " + transactions.size() + " transaction(s) up to position "
                    + state.commitPosition() + " failed: " + e.getMessage(), e);
        }
    }

    /** Records that the stream was processed up to {@code state}'s position with nothing to apply (heartbeats, markers). */
    public void recordPosition(AppliedState state) {
        try {
            inTransaction(c -> StateTable.write(c, state, scope));
        } catch (SQLException e) {
            throw new ApplyException("recording position " + state.commitPosition() + " failed: " + e.getMessage(), e);
        }
    }

    private void applyOne(Connection c, List<Change> changes) throws SQLException {
        List<TableName> truncates = new ArrayList<>();
        for (Change change : changes) {
            if (change.op() == Change.Op.TRUNCATE) {
                truncates.add(change.table());
                continue;
            }
            flushTruncates(c, truncates);
            TableMeta meta = catalog.table(c, change.table());
            try {
                execute(c, ChangeApplier.toSql(meta, change));
            } catch (SQLException e) {
                throw new FailedChange(meta, change, e);
            }
            if (change.changesSchema()) {
                if (!usesReplicaRole(c)) {
                    throw new ApplyException("a schema change arrived, and replaying one needs a superuser target connection"
                            + " (session_replication_role keeps the target's own capture trigger quiet)");
                }
                DdlReplay.run(c, change.after());
                catalog.clear();
            }
        }
        flushTruncates(c, truncates);
    }

    private void flushTruncates(Connection c, List<TableName> truncates) throws SQLException {
        if (!truncates.isEmpty()) {
            for (TableName table : truncates) {
                catalog.table(c, table); // fails clearly if the table is missing
            }
            execute(c, ChangeApplier.truncate(truncates));
            truncates.clear();
        }
    }

    private interface Work {
        void run(Connection c) throws SQLException;
    }

    private void inTransaction(Work work) throws SQLException {
        try (Connection c = target.getConnection()) {
            c.setAutoCommit(false);
            try {
                replicaRole(c);
                work.run(c);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                catalog.clear(); // it may describe tables as a rolled-back schema change left them
                try {
                    c.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback); // a dead connection cannot roll back; the server discards the transaction
                }
                throw e;
            }
        }
    }

    /**
     * Like PostgreSQL's own apply workers: the source already checked constraints and ran triggers, and snapshot
     * order need not respect foreign keys. Also keeps the target's own capture trigger from firing.
     */
    private void replicaRole(Connection c) throws SQLException {
        if (usesReplicaRole(c)) {
            try (Statement st = c.createStatement()) {
                st.execute("SET LOCAL session_replication_role = replica");
            }
        }
    }

    private boolean usesReplicaRole(Connection c) throws SQLException {
        if (replicaRole == null) {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")) {
                replicaRole = rs.next() && rs.getBoolean(1);
            }
        }
        return replicaRole;
    }

    private static void execute(Connection c, SqlStatement statement) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(statement.sql())) {
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
            int count = ps.executeUpdate();
            if (statement.mustTouchOneRow() && count != 1) {
                throw new ApplyException("expected one row for " + statement.sql() + " but " + count + " matched: the target"
                        + " lacks the row the source changed");
            }
        }
    }
}
