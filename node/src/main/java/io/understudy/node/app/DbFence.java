package io.understudy.node.app;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database fence ({@code app.dbUser}): while this node is not primary, the application's own PostgreSQL role
 * cannot write to this node's database. Fencing sets {@code default_transaction_read_only} on the role and ends the
 * role's open sessions (a session keeps the setting it started with, and an open transaction could still commit);
 * lifting resets the setting and ends the sessions again, since they were opened read-only. The application's
 * connection pool reconnects either way.
 *
 * <p>What it adds to the gateway's lease and epoch checks: writes the application makes on its own (scheduled work,
 * clients that reach it without the gateway) stop as soon as the node steps down. It is applied by the node itself,
 * so a node that is frozen applies it only once it runs again. It fences an application that leaves its transactions
 * at the role's default; a session that explicitly asks for read-write transactions is not stopped by it.
 *
 * <p>The node's {@code db.user} needs the right to alter the role and to end its sessions (a superuser, or CREATEROLE
 * plus {@code pg_signal_backend}). Called on the node's event thread and at start; thread-safe.
 */
public final class DbFence {

    private static final Logger log = LoggerFactory.getLogger(DbFence.class);

    private enum State {
        /** Not known: at start, or after a fence or lift failed part-way. */
        UNKNOWN,
        /** The role is read-only and its earlier sessions are gone. */
        FENCED,
        /** The role may write. */
        OPEN
    }

    private final String role;
    private final DataSource db;
    private State state = State.UNKNOWN;
    private boolean missingLogged;

    /** @param role the application's role, or null for a node without a fence (every call then does nothing) */
    public DbFence(String role, DataSource db) {
        this.role = role;
        this.db = db;
    }

    /**
     * Makes the role read-only and ends its sessions, unless it is already fenced.
     *
     * @throws SQLException when the database refused or did not answer; the caller decides whether that stops it
     */
    public void fence(String reason) throws SQLException {
        move(State.FENCED, "SET default_transaction_read_only = on", "fenced: read-only, {} session(s) ended ({})", reason);
    }

    /**
     * Lets the role write again and ends its read-only sessions, unless it is known to be open. Called after
     * {@code /primary} names this node and before the write gate opens.
     *
     * @throws SQLException when the database refused or did not answer
     */
    public void lift(String reason) throws SQLException {
        move(State.OPEN, "RESET default_transaction_read_only", "unfenced: may write, {} read-only session(s) ended ({})",
                reason);
    }

    /** Fences, and logs instead of throwing when the database does not answer: {@link #reconcile} tries again. */
    public void fenceOrLog(String reason) {
        try {
            fence(reason);
        } catch (SQLException e) {
            log.error("application role {} NOT fenced ({}): {}; trying again every second", role, reason, e.getMessage());
        }
    }

    /** Lifts, and logs instead of throwing: {@link #reconcile} tries again. */
    public void liftOrLog(String reason) {
        try {
            lift(reason);
        } catch (SQLException e) {
            log.error("application role {} NOT unfenced ({}): {}; trying again every second", role, reason, e.getMessage());
        }
    }

    private synchronized void move(State target, String setting, String done, String reason) throws SQLException {
        if (role == null || state == target) {
            return;
        }
        state = State.UNKNOWN;
        if (!exists()) {
            return; // nothing can write as a role that does not exist; reconcile() acts once it does
        }
        int ended = apply("ALTER ROLE " + quoted() + " " + setting);
        state = target;
        log.info("application role " + role + " " + done, ended, reason);
    }

    /**
     * Puts right what a failed fence or lift left undone (the database did not answer then): the role may write
     * exactly while this node is primary. Does nothing, and touches no database, while that already holds.
     */
    public void reconcile(boolean primary) {
        if (role == null) {
            return;
        }
        if (primary) {
            liftOrLog("primary");
        } else {
            fenceOrLog("not primary");
        }
    }

    /** Whether the role exists in this server; says so once while it does not (created later by the application's installer). */
    private boolean exists() throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
            ps.setString(1, role);
            try (ResultSet rs = ps.executeQuery()) {
                boolean exists = rs.next();
                if (!exists && !missingLogged) {
                    log.warn("app.dbUser role {} does not exist in this database: nothing can write as it; it is fenced as"
                            + " soon as it exists while this node is not primary", role);
                }
                missingLogged = !exists;
                return exists;
            }
        }
    }

    private int apply(String alter) throws SQLException {
        try (Connection c = db.getConnection()) {
            try (Statement st = c.createStatement()) {
                st.execute(alter);
            }
            // waits up to 5 s for each session to be gone: a transaction in progress rolls back, none commits later
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000))"
                    + " FROM pg_stat_activity WHERE usename = ? AND pid <> pg_backend_pid()")) {
                ps.setString(1, role);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        }
    }

    private String quoted() {
        return '"' + role.replace("\"", "\"\"") + '"';
    }
}
