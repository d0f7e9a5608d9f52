package io.understudy.node.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.understudy.cluster.Lsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's own PostgreSQL: a connection pool, schema migrations at open, and transactions
 * that either commit whole or not at all. Thread-safe.
 */
public final class Database implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Database.class);

    /** Work inside one transaction; any exception rolls it back. */
    @FunctionalInterface
    public interface TxWork<T> {
        T run(Connection connection) throws Exception;
    }

    private final HikariDataSource dataSource;

    private Database(HikariDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Connects, waits for the database to answer, and migrates the schema. */
    public static Database open(String url, String user, String password, int poolSize, String poolName) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(poolSize);
        config.setPoolName(poolName);
        config.setAutoCommit(true);
        config.setConnectionTimeout(5000);
        // The node's tables and the schema history live in public and are named unqualified. PostgreSQL's default path
        // ("$user", public) would resolve them in schema understudy for a role of that name once the schema exists.
        config.setConnectionInitSql("SET search_path = public");
        HikariDataSource ds = new HikariDataSource(config);
        try {
            Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
        log.info("database {} ready (schema migrated)", url);
        return new Database(ds);
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public <T> T inTransaction(TxWork<T> work) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (Exception | Error e) {
                rollbackQuietly(c, e);
                throw e;
            }
            // HikariCP puts auto-commit back when the connection returns to the pool. Resetting it
            // here, in a finally, would replace the error of a connection that broke (a crashed
            // database) with "Connection is closed", and the caller could no longer tell it was lost.
        }
    }

    /**
     * Runs {@code work} in auto-commit mode: each statement is its own transaction, committed by
     * PostgreSQL when it completes, without a COMMIT round trip. For work of one statement only.
     */
    public <T> T autoCommitted(TxWork<T> work) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        }
    }

    /** Runs {@code work} in a read-only REPEATABLE READ transaction: one consistent snapshot. */
    public <T> T inSnapshot(TxWork<T> work) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                // for this transaction only: setting the session's isolation and read-only mode, and
                // resetting them afterwards, cost two more round trips to PostgreSQL on every read
                st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            }
            try {
                return work.run(c);
            } finally {
                rollbackQuietly(c, null);
            }
        }
    }

    /** The current end of this database's WAL: what a primary publishes as its position. */
    public long currentWalPosition() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        }
    }

    /**
     * Drops this node's replication slots that no one is streaming from. A slot left behind by a
     * stream of an earlier epoch would otherwise hold WAL on this disk forever.
     */
    public void dropInactiveSlots(String namePrefix) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT slot_name, pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                             + " WHERE NOT active AND slot_name LIKE ? || '%'")) {
            ps.setString(1, namePrefix);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    log.info("dropped stale replication slot {}", rs.getString(1));
                }
            }
        }
    }

    public boolean isReachable() {
        try (Connection c = dataSource.getConnection()) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    private static void rollbackQuietly(Connection c, Throwable cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            if (cause != null) {
                cause.addSuppressed(e);
            }
        }
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
