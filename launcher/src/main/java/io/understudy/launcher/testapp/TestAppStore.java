package io.understudy.launcher.testapp;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The test application's data in the node's PostgreSQL, reached through the application's own role: rows with
 * sequence ids in {@code testapp.items}, and rows of the node's built-in {@code public.objects} table (replicated
 * without any configuration). A new connection per call, as a simple application would, so a session the database
 * fence ended costs one failed request, never a stuck pool. Thread-safe.
 */
public final class TestAppStore {

    /** The schema and table the application keeps its rows in. */
    public static final String TABLE = "testapp.items";

    private final String url;
    private final String user;
    private final String password;

    public TestAppStore(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    /**
     * Creates the application's role (login, no password; the local servers trust loopback), schema and table, and
     * grants it what it needs, connected as a superuser. Idempotent. Each node's database needs it: roles are not
     * replicated.
     */
    public static void provision(String url, String superuser, String superPassword, String role) throws SQLException {
        if (!role.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("role must be a plain lower-case name, got '" + role + "'");
        }
        try (Connection c = DriverManager.getConnection(url, superuser, superPassword); Statement st = c.createStatement()) {
            st.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + role + "') THEN"
                    + " CREATE ROLE \"" + role + "\" LOGIN; END IF; END $$");
            st.execute("CREATE SCHEMA IF NOT EXISTS testapp");
            st.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (id bigserial PRIMARY KEY, key text UNIQUE,"
                    + " body text NOT NULL, app text NOT NULL, epoch bigint NOT NULL, written_at timestamptz NOT NULL DEFAULT now())");
            st.execute("GRANT USAGE ON SCHEMA testapp TO \"" + role + "\"");
            st.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA testapp TO \"" + role + "\"");
            st.execute("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA testapp TO \"" + role + "\"");
            st.execute("GRANT SELECT, INSERT, UPDATE ON public.objects TO \"" + role + "\"");
        }
    }

    /** A new row with the next id; returns the id. */
    public long insert(String body, String app, long epoch) throws SQLException {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO " + TABLE + " (body, app, epoch) VALUES (?, ?, ?) RETURNING id")) {
            ps.setString(1, body);
            ps.setString(2, app);
            ps.setLong(3, epoch);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Inserts or replaces the row with {@code key}; returns its id and whether it was new. */
    public Map<String, Object> upsert(String key, String body, String app, long epoch) throws SQLException {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE
                + " (key, body, app, epoch) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE"
                + " SET body = excluded.body, app = excluded.app, epoch = excluded.epoch, written_at = now()"
                + " RETURNING id, (xmax = 0) AS created")) {
            ps.setString(1, key);
            ps.setString(2, body);
            ps.setString(3, app);
            ps.setLong(4, epoch);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("id", rs.getLong(1));
                row.put("key", key);
                row.put("created", rs.getBoolean(2));
                return row;
            }
        }
    }

    public Optional<Map<String, Object>> find(String key) throws SQLException {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT id, key, body, app, epoch FROM " + TABLE + " WHERE key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("id", rs.getLong(1));
                row.put("key", rs.getString(2));
                row.put("body", rs.getString(3));
                row.put("writtenBy", rs.getString(4));
                row.put("epoch", rs.getLong(5));
                return Optional.of(row);
            }
        }
    }

    /** How many rows there are and the highest id. */
    public Map<String, Object> summary() throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*), coalesce(max(id), 0) FROM " + TABLE)) {
            rs.next();
            return Map.of("count", rs.getLong(1), "maxId", rs.getLong(2));
        }
    }

    /** Writes a row of the built-in {@code objects} table, the way the node's own API stores a JSON document. */
    public void putObject(String id, byte[] json, long epoch) throws SQLException {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement("INSERT INTO public.objects"
                + " (id, body, etag, version, written_epoch) VALUES (?, ?, md5(?), 1, ?) ON CONFLICT (id) DO UPDATE"
                + " SET body = excluded.body, etag = excluded.etag, version = objects.version + 1,"
                + " written_epoch = excluded.written_epoch, updated_at = now()")) {
            ps.setString(1, id);
            ps.setBytes(2, json);
            ps.setBytes(3, json);
            ps.setLong(4, epoch);
            ps.executeUpdate();
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }
}
