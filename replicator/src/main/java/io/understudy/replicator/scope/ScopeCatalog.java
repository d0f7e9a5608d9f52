package io.understudy.replicator.scope;

import io.understudy.replicator.apply.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ReplicationScope} on the primary's database: reads the catalog, gives tables without a primary key their
 * {@code REPLICA IDENTITY FULL} before anything publishes them, and sets a stream's publication to exactly the
 * resolved tables.
 */
public final class ScopeCatalog {

    private static final Logger LOG = LoggerFactory.getLogger(ScopeCatalog.class);

    private static final String TABLES = """
            SELECT n.nspname, c.relname, c.relkind, c.relispartition, c.relpersistence,
                   EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary), c.relreplident
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'""";

    private ScopeCatalog() {
    }

    public static List<CatalogTable> tables(Connection c) throws SQLException {
        List<CatalogTable> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(TABLES)) {
            while (rs.next()) {
                out.add(new CatalogTable(rs.getString(1), rs.getString(2), rs.getString(3).charAt(0), rs.getBoolean(4),
                        rs.getString(5).charAt(0), rs.getBoolean(6), rs.getString(7).charAt(0)));
            }
        }
        return out;
    }

    /** The database's schemas, system schemas left out. */
    public static List<String> schemas(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY 1")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /**
     * Resolves {@code scope} against this database and sets {@code REPLICA IDENTITY FULL} where the resolution asks.
     *
     * @throws ScopeRefused when the rules refuse a table in scope
     */
    public static Resolution.Replicable prepare(Connection c, ReplicationScope scope) throws SQLException {
        Resolution resolution = scope.resolve(tables(c));
        if (resolution instanceof Resolution.Refused refused) {
            throw new ScopeRefused(refused);
        }
        Resolution.Replicable ok = (Resolution.Replicable) resolution;
        if (ok.makeFull().isEmpty()) {
            return ok;
        }
        if (c.getAutoCommit()) {
            c.setAutoCommit(false);
            try {
                makeFull(c, ok);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } else {
            makeFull(c, ok);
        }
        return ok;
    }

    /**
     * Inside a transaction. The capture trigger is told to leave these statements alone (as it does its own): they
     * are Understudy's housekeeping, which every new primary repeats, not the application's schema changes.
     */
    private static void makeFull(Connection c, Resolution.Replicable ok) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SELECT set_config('understudy.ddl_reconciling', 'on', true)");
            for (TableName table : ok.makeFull()) {
                st.execute("ALTER TABLE " + table.sql() + " REPLICA IDENTITY FULL");
                LOG.info("{} has no primary key: REPLICA IDENTITY FULL, so its UPDATEs and DELETEs can be replicated"
                        + " (replication.noPrimaryKey=full)", table);
            }
            st.execute("SELECT set_config('understudy.ddl_reconciling', '', true)");
        }
    }

    /**
     * In one transaction, under the publications lock (the capture trigger takes it too, so a table created meanwhile
     * is either seen here or added by the trigger): {@link #prepare}, then creates {@code publication} or sets it to
     * exactly the resolved tables.
     */
    public static Resolution.Replicable publish(Connection c, ReplicationScope scope, String publication) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute("SELECT pg_advisory_xact_lock(" + SourceLocks.NAMESPACE + ", " + SourceLocks.PUBLICATIONS + ")");
            Resolution.Replicable ok = prepare(c, scope);
            for (TableName table : ok.unlogged()) {
                LOG.warn("{} is UNLOGGED: PostgreSQL writes no WAL for its rows, so they are not replicated (its definition is)",
                        table);
            }
            String tables = String.join(", ", ok.publish().stream().map(TableName::sql).toList());
            String name = TableName.quote(publication);
            boolean exists;
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
                ps.setString(1, publication);
                try (ResultSet rs = ps.executeQuery()) {
                    exists = rs.next();
                }
            }
            if (!exists) {
                st.execute("CREATE PUBLICATION " + name + (tables.isEmpty() ? "" : " FOR TABLE " + tables));
            } else if (!tables.isEmpty()) {
                st.execute("ALTER PUBLICATION " + name + " SET TABLE " + tables);
            }
            c.commit();
            LOG.info("publication {} carries {} table(s): {}", publication, ok.publish().size(), ok.publish());
            return ok;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }
}
