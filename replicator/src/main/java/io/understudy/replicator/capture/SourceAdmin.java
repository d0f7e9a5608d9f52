package io.understudy.replicator.capture;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Short JDBC sessions on the source database: slot housekeeping and drain markers. */
public final class SourceAdmin {

    private static final Logger LOG = LoggerFactory.getLogger(SourceAdmin.class);

    private final String url;
    private final Properties props = new Properties();

    public SourceAdmin(String host, int port, String database, String user, String password, int connectTimeoutSeconds) {
        this.url = "jdbc:postgresql://" + host + ":" + port + "/" + database;
        props.setProperty("user", user);
        props.setProperty("password", password == null ? "" : password);
        props.setProperty("connectTimeout", Integer.toString(Math.max(1, connectTimeoutSeconds)));
        props.setProperty("socketTimeout", Integer.toString(Math.max(5, connectTimeoutSeconds * 2)));
        props.setProperty("ApplicationName", "understudy-replicator-admin");
    }

    /** A new connection to the source; the caller closes it. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url, props);
    }

    /**
     * Drops the logical slot if it exists. A slot still held by a lingering walsender (a previous run that died
     * without closing) is released by terminating that backend first. Returns whether a slot was dropped.
     */
    public boolean dropSlot(String slotName) throws SQLException {
        try (Connection c = connect()) {
            for (int attempt = 1; ; attempt++) {
                Integer activePid = null;
                try (PreparedStatement ps = c.prepareStatement("SELECT active_pid FROM pg_replication_slots WHERE slot_name = ?")) {
                    ps.setString(1, slotName);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            return false;
                        }
                        activePid = (Integer) rs.getObject(1);
                    }
                }
                if (activePid != null) {
                    LOG.info("slot {} is held by backend {}; terminating it before the drop", slotName, activePid);
                    try (PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(?, 5000)")) {
                        ps.setInt(1, activePid);
                        ps.execute();
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
                    ps.setString(1, slotName);
                    ps.execute();
                    LOG.info("dropped replication slot {}", slotName);
                    return true;
                } catch (SQLException e) {
                    if (attempt >= 5 || !"55006".equals(e.getSQLState())) { // 55006: object in use
                        throw e;
                    }
                }
            }
        }
    }

    /**
     * The slot's confirmed flush position and whether the source invalidated it, or null if there is no such slot.
     *
     * @return {@code [confirmedFlush, lost ? 1 : 0]}
     */
    public long[] slotState(String slotName) throws SQLException {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement("SELECT coalesce(confirmed_flush_lsn - '0/0'::pg_lsn, 0),"
                + " wal_status = 'lost' OR (confirmed_flush_lsn IS NULL AND restart_lsn IS NULL) FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slotName);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new long[] {rs.getBigDecimal(1).longValueExact(), rs.getBoolean(2) ? 1 : 0} : null;
            }
        }
    }

    /** Drops the publication if it exists; returns whether one was dropped. */
    public boolean dropPublication(String publicationName) throws SQLException {
        try (Connection c = connect()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
                ps.setString(1, publicationName);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return false;
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("DROP PUBLICATION IF EXISTS \"" + publicationName.replace("\"", "\"\"") + "\"")) {
                ps.execute();
            }
            LOG.info("dropped publication {}", publicationName);
            return true;
        }
    }

    /**
     * What a drain waits for, asked over one connection (a connection costs the source a new backend process, the
     * most expensive part of asking): {@code pg_current_wal_lsn()} (every transaction committed so far ends at or
     * before it), then a drain marker carrying {@code token} (see below).
     *
     * @return the WAL position read before the marker was written
     */
    public long drainTarget(String token) throws SQLException {
        try (Connection c = connect()) {
            return drainTarget(c, token);
        }
    }

    /** {@link #drainTarget(String)} over an open connection to the source, which stays open. */
    public static long drainTarget(Connection c, String token) throws SQLException {
        long lsn;
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            lsn = rs.getBigDecimal(1).longValueExact();
        }
        emitDrainMarker(c, token);
        return lsn;
    }

    /**
     * Writes a transactional logical decoding message (no table is touched). It commits after everything already
     * committed, so once the stream delivers it, the stream has caught up to the moment it was written, even if
     * the WAL tail holds nothing the publication replicates. Transactional, so its commit is flushed at once
     * ({@code synchronous_commit=on}) instead of waiting for the WAL writer.
     */
    private static void emitDrainMarker(Connection c, String token) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_logical_emit_message(true, ?, ?)")) {
            ps.setString(1, EngineProperties.DRAIN_MESSAGE_PREFIX);
            ps.setString(2, token);
            ps.execute();
        }
    }
}
