package io.understudy.replicator.capture;

import io.understudy.replicator.PgTools;
import io.understudy.replicator.apply.SqlScript;
import io.understudy.replicator.apply.TableName;
import io.understudy.replicator.scope.ReplicationScope;
import io.understudy.replicator.scope.ScopeCatalog;
import io.understudy.replicator.scope.SourceLocks;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The definitions of the captured schemas, taken from the primary for a fresh sync ({@code pg_dump --schema-only}),
 * to be restored into the target before any row is copied. From {@link #take} until {@link #release} (once the
 * copy of the rows is complete) it holds the schema-copy lock on the primary: every captured schema change fails
 * meanwhile, so the dumped definitions are exactly those the copied rows and the following stream belong to.
 */
public final class SchemaCopy implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaCopy.class);
    /** pg_dump's psql-only guard lines around a plain dump (PostgreSQL 15.14 and later). */
    private static final Pattern RESTRICT = Pattern.compile("(?m)^\\\\(un)?restrict \\S+\\R?");

    private final Connection lock;
    private final List<String> schemas;
    private final List<String> statements;
    private final ReplicationScope scope;

    private SchemaCopy(Connection lock, List<String> schemas, List<String> statements, ReplicationScope scope) {
        this.lock = lock;
        this.schemas = List.copyOf(schemas);
        this.statements = List.copyOf(statements);
        this.scope = scope;
    }

    /**
     * Takes the schema-copy lock on the source (waiting for captured schema changes still running), then dumps the
     * definitions of the source's captured schemas.
     *
     * @param source a connection to the source the copy keeps (and closes) to hold the lock
     */
    public static SchemaCopy take(Connection source, ReplicationScope scope, String host, int port, String database, String user,
                                  String password) throws SQLException, IOException, InterruptedException {
        try {
            source.setAutoCommit(true);
            try (Statement st = source.createStatement()) {
                // The lock lives as long as this session: if this host vanishes, the primary notices within half a
                // minute (not the system's two hours) and schema changes can run again.
                st.execute("SET tcp_keepalives_idle = 10");
                st.execute("SET tcp_keepalives_interval = 5");
                st.execute("SET tcp_keepalives_count = 3");
                st.execute("SELECT pg_advisory_lock(" + SourceLocks.NAMESPACE + ", " + SourceLocks.SCHEMA_COPY + ")");
            }
            List<String> schemas = scope.capturedSchemas(ScopeCatalog.schemas(source));
            List<String> statements = new ArrayList<>();
            if (!schemas.isEmpty()) {
                List<String> args = new ArrayList<>(List.of("--host", host, "--port", Integer.toString(port), "--username", user,
                        "--dbname", database, "--schema-only", "--no-publications", "--no-subscriptions", "--no-tablespaces"));
                schemas.forEach(s -> args.add("--schema=\"" + s + "\""));
                String dump = PgTools.run("pg_dump", args, Map.of("PGPASSWORD", password, "PGCONNECT_TIMEOUT", "10"));
                SqlScript.split(RESTRICT.matcher(dump).replaceAll("")).forEach(s -> statements.add(s.text()));
            }
            LOG.info("schema copy: {} statement(s) defining schema(s) {}", statements.size(), schemas);
            return new SchemaCopy(source, schemas, statements, scope);
        } catch (SQLException | IOException | InterruptedException | RuntimeException e) {
            source.close();
            throw e;
        }
    }

    /** The schemas the copy replaces on the target. */
    public List<String> schemas() {
        return schemas;
    }

    /**
     * Inside the target's fresh-sync transaction: drops the target's captured schemas (those of the copy and any other
     * the scope captures) and creates them as dumped. Session settings the dump made are reset afterwards.
     */
    public void restoreInto(Connection target) throws SQLException {
        TreeSet<String> replaced = new TreeSet<>(schemas);
        replaced.addAll(scope.capturedSchemas(ScopeCatalog.schemas(target)));
        try (Statement st = target.createStatement()) {
            st.setEscapeProcessing(false);
            for (String schema : replaced) {
                st.execute("DROP SCHEMA IF EXISTS " + TableName.quote(schema) + " CASCADE");
            }
            int n = 0;
            for (String statement : statements) {
                n++;
                try {
                    st.execute(statement);
                } catch (SQLException e) {
                    throw new SQLException("restoring the primary's schema definitions failed at statement " + n + " of "
                            + statements.size() + " (" + e.getMessage() + "): " + statement, e.getSQLState(), e);
                }
            }
            st.execute("RESET ALL");
        }
    }

    /** The copy of the rows is complete: captured schema changes may run again on the source. */
    public void release() {
        try (Statement st = lock.createStatement()) {
            st.execute("SELECT pg_advisory_unlock(" + SourceLocks.NAMESPACE + ", " + SourceLocks.SCHEMA_COPY + ")");
            LOG.info("schema copy: rows copied, schema changes on the source allowed again");
        } catch (SQLException e) {
            LOG.warn("schema copy: cannot release the lock ({}); it goes with the connection", e.getMessage());
        }
        close();
    }

    @Override
    public void close() {
        try {
            lock.close();
        } catch (SQLException e) {
            LOG.debug("closing the schema-copy connection: {}", e.getMessage());
        }
    }
}
