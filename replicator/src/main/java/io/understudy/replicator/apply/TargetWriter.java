package io.understudy.replicator.apply;

import io.understudy.cluster.Lsn;
import io.understudy.replicator.AppliedState;
import io.understudy.replicator.capture.ConnectionLoss;
import io.understudy.replicator.capture.DurableGroups.Commit;
import io.understudy.replicator.capture.SchemaCopy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies units of changes to the target, each in one local JDBC transaction together with the stream's state
 * row. On any error the transaction is rolled back and an {@link ApplyException} says which change failed.
 * Used from the engine thread only.
 */
public final class TargetWriter {

    private static final Logger LOG = LoggerFactory.getLogger(TargetWriter.class);

    private static final String REPLICA_ROLE = "set_config('session_replication_role', 'replica', true)";
    private static final String NO_SYNC_COMMIT = "set_config('synchronous_commit', 'off', true)";

    private final DataSource target;
    private final String sourceId;
    private final String scope;
    private final TargetCatalog catalog = new TargetCatalog();
    private final StatementCache statements = new StatementCache();
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
                applySettings(c, true); // the restored definitions' script may have reset the role
                kept = tables.stream().filter(t -> !copy.schemas().contains(t.schema())).toList();
            }
            if (!kept.isEmpty()) {
                StatementBatch.execute(c, ChangeApplier.truncate(kept));
            }
        });
    }

    /** Applies the changes and records {@code state}, all or nothing, durably (snapshot chunks). */
    public void apply(List<Change> changes, AppliedState state) {
        applyTransactions(List.of(changes), state, true);
    }

    /**
     * Applies several complete source transactions, in order, and records {@code state} (the last one's position),
     * all in one local transaction: all or nothing.
     *
     * @param durable commit with {@code synchronous_commit} on; otherwise off (the WAL flush is left to the target's
     *                WAL writer, and the returned commit says how far it has come)
     */
    public Commit applyTransactions(List<List<Change>> transactions, AppliedState state, boolean durable) {
        try {
            return applyGroup(transactions, state, durable, true);
        } catch (StatementBatch.Failed e) {
            if (ConnectionLoss.of(e).isPresent()) {
                throw failed(transactions, state, e.getCause()); // nothing to name; a retry would wait for the target
            }
            // The target rolled the group back; its error names a batch, not a change. Change by change, the same
            // error recurs and names its change.
            LOG.info("{}; applying the group again change by change, to name the failing change", e.getMessage());
            return applyGroup(transactions, state, durable, false);
        }
    }

    private Commit applyGroup(List<List<Change>> transactions, AppliedState state, boolean durable, boolean batching) {
        try {
            return recordingState(state, durable, c -> {
                StatementBatch batch = new StatementBatch(c, batching);
                for (List<Change> changes : transactions) {
                    applyOne(c, batch, changes);
                }
                batch.flush();
            });
        } catch (FailedChange e) {
            throw new ApplyException(e.describe(target), e.getCause());
        } catch (SQLException e) {
            throw failed(transactions, state, e);
        }
    }

    private static ApplyException failed(List<List<Change>> transactions, AppliedState state, Throwable e) {
        int count = transactions.stream().mapToInt(List::size).sum();
        return new ApplyException("applying " + count + " change(s) of " + transactions.size() + " transaction(s) up to position "
                + state.commitPosition() + " failed: " + e.getMessage(), e);
    }

    /**
     * Records that the stream was processed up to {@code state}'s position with nothing to apply (heartbeats, markers).
     *
     * @param durable as for {@link #applyTransactions}
     */
    public Commit recordPosition(AppliedState state, boolean durable) {
        try {
            return recordingState(state, durable, c -> { });
        } catch (SQLException e) {
            throw new ApplyException("recording position " + state.commitPosition() + " failed: " + e.getMessage(), e);
        }
    }

    /** The target's WAL position known to be on disk now. */
    public long flushedPosition() {
        try (Connection c = target.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_current_wal_flush_lsn()::text")) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        } catch (SQLException e) {
            throw new ApplyException("reading the target's flushed WAL position failed: " + e.getMessage(), e);
        }
    }

    private void applyOne(Connection c, StatementBatch batch, List<Change> changes) throws SQLException {
        List<TableName> truncates = new ArrayList<>();
        for (Change change : changes) {
            if (change.op() == Change.Op.TRUNCATE) {
                truncates.add(change.table());
                continue;
            }
            flushTruncates(c, batch, truncates);
            TableMeta meta;
            SqlStatement statement;
            try {
                meta = catalog.table(c, change.table());
                statement = statements.toSql(meta, change);
            } catch (ApplyException e) {
                batch.flush(); // a change before this one may fail first, and is then the one to report
                throw e;
            }
            batch.add(meta, change, statement);
            if (change.changesSchema()) {
                batch.flush();
                if (!usesReplicaRole(c)) {
                    throw new ApplyException("a schema change arrived, and replaying one needs a superuser target connection"
                            + " (session_replication_role keeps the target's own capture trigger quiet)");
                }
                DdlReplay.run(c, change.after());
                catalog.clear();
            }
        }
        flushTruncates(c, batch, truncates);
    }

    private void flushTruncates(Connection c, StatementBatch batch, List<TableName> truncates) throws SQLException {
        if (!truncates.isEmpty()) {
            batch.flush();
            for (TableName table : truncates) {
                catalog.table(c, table); // fails clearly if the table is missing
            }
            StatementBatch.execute(c, ChangeApplier.truncate(truncates));
            truncates.clear();
        }
    }

    private interface Work {
        void run(Connection c) throws SQLException;
    }

    private void inTransaction(Work work) throws SQLException {
        inTransaction(c -> applySettings(c, true), work, true);
    }

    /**
     * A local transaction that records {@code state} and does {@code work}. The state row is written first, with the
     * transaction's settings in the same statement: a single-transaction group takes three round trips (that
     * statement with the transaction's start, the changes, the commit). The order inside is free: it commits whole.
     */
    private Commit recordingState(AppliedState state, boolean durable, Work work) throws SQLException {
        return inTransaction(c -> StateTable.write(c, state, scope, settings(c, durable)), work, durable);
    }

    private Commit inTransaction(Work first, Work work, boolean durable) throws SQLException {
        try (Connection c = target.getConnection()) {
            c.setAutoCommit(false);
            try {
                first.run(c);
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
            if (durable) {
                return Commit.SYNCED;
            }
            // Read after the commit, in autocommit so no transaction is left open: the insert position lies past the
            // commit record just written.
            c.setAutoCommit(true);
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT pg_current_wal_insert_lsn()::text, pg_current_wal_flush_lsn()::text")) {
                rs.next();
                return new Commit(false, Lsn.parse(rs.getString(1)), Lsn.parse(rs.getString(2)));
            }
        }
    }

    /**
     * The local transaction's settings as a select list, or null when it needs none. {@code session_replication_role =
     * replica} as in PostgreSQL's own apply workers: the source already checked constraints and ran triggers, and
     * snapshot order need not respect foreign keys; it also keeps the target's own capture trigger from firing.
     * {@code synchronous_commit} off unless the commit must be durable at once.
     */
    private String settings(Connection c, boolean durable) throws SQLException {
        return usesReplicaRole(c) ? (durable ? REPLICA_ROLE : REPLICA_ROLE + ", " + NO_SYNC_COMMIT)
                : (durable ? null : NO_SYNC_COMMIT);
    }

    /** The {@link #settings} in a statement of their own. */
    private void applySettings(Connection c, boolean durable) throws SQLException {
        String select = settings(c, durable);
        if (select != null) {
            try (Statement st = c.createStatement()) {
                st.execute("SELECT " + select);
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
}
