package io.understudy.replicator;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import io.understudy.replicator.scope.ReplicationScope;

/** Two real PostgreSQL servers (logical WAL, synchronous commit on): the primary's (source) and a secondary's (target). */
final class PgPair implements AutoCloseable {

    final EmbeddedPostgres source;
    final EmbeddedPostgres target;
    final HikariDataSource targetPool;
    private final List<String> slots = new ArrayList<>();

    PgPair() throws IOException {
        source = start();
        target = start();
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(target.getJdbcUrl("postgres", "postgres"));
        hc.setMaximumPoolSize(4);
        targetPool = new HikariDataSource(hc);
    }

    private static EmbeddedPostgres start() throws IOException {
        return builder().start();
    }

    /** How every test server here is configured: logical WAL, synchronous commit, loopback only. */
    static EmbeddedPostgres.Builder builder() {
        return EmbeddedPostgres.builder()
                .setServerConfig("wal_level", "logical")
                .setServerConfig("synchronous_commit", "on")
                // each stream a test class starts keeps its slot until the class is done (see close)
                .setServerConfig("max_replication_slots", "20")
                .setServerConfig("max_wal_senders", "20")
                .setServerConfig("listen_addresses", "127.0.0.1");
    }

    ReplicatorConfig config(String name, Path offsetDir, String... tables) {
        slots.add(name);
        return new ReplicatorConfig(name, "a@1", "127.0.0.1", source.getPort(), "postgres", "postgres", "",
                List.of(tables), offsetDir, 10, 200);
    }

    /** A stream of {@code scope} (the built-in tables it names must exist on both servers). */
    ReplicatorConfig config(String name, Path offsetDir, ReplicationScope scope) {
        slots.add(name);
        return new ReplicatorConfig(name, "a@1", "127.0.0.1", source.getPort(), "postgres", "postgres", "", scope, offsetDir, 10, 200);
    }

    /** Runs DDL on both servers (the target has the same schema as the source). */
    void both(String sql) throws SQLException {
        exec(source, sql);
        exec(target, sql);
    }

    static void exec(EmbeddedPostgres pg, String sql) throws SQLException {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    static long count(EmbeddedPostgres pg, String sql) throws SQLException {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * The source's current WAL position. A target's stored position lies between its last applied commit and this:
     * it also covers heartbeats and markers processed after that commit.
     */
    static long walPosition(EmbeddedPostgres pg) throws SQLException {
        return io.understudy.cluster.Lsn.parse(rows(pg, "SELECT pg_current_wal_lsn()::text").get(0));
    }

    static List<String> rows(EmbeddedPostgres pg, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        for (String slot : slots) {
            try {
                Replicator.dropSlot("127.0.0.1", source.getPort(), "postgres", "postgres", "", slot);
            } catch (RuntimeException e) {
                // the servers are going away anyway; the slot dies with them
            }
        }
        targetPool.close();
        source.close();
        target.close();
    }
}
