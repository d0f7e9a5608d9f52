package io.understudy.node.replication;

import io.understudy.node.replication.Alarms.SlotView;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import io.understudy.replicator.scope.ReplicationScope;
import io.understudy.replicator.scope.ScopeCatalog;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On a primary: its secondaries' slots and publications (one each, named after the secondary). Bounds the WAL a
 * slot may hold ({@code max_slot_wal_keep_size}), reports what each holds, and drops the slot and publication of a
 * secondary that was removed from the cluster (at once, ending its stream if it still runs), has been gone from the
 * cluster for {@code slotDropAfterMs}, or whose slot PostgreSQL invalidated. Event thread only.
 */
public final class SlotKeeper {

    private static final Logger log = LoggerFactory.getLogger(SlotKeeper.class);

    private final DataSource db;
    private final String prefix;
    private final ReplicationSettings settings;
    private final Map<String, Long> goneSinceMs = new HashMap<>();
    private boolean walBoundSet = true;

    public SlotKeeper(DataSource db, String prefix, ReplicationSettings settings) {
        this.db = db;
        this.prefix = prefix;
        this.settings = settings;
    }

    /**
     * At the node's start and on every promotion: sets {@code max_slot_wal_keep_size} (ALTER SYSTEM + reload, so it
     * survives restarts) unless it has that value already. At start too, whatever the role: the reload makes every
     * session of the database read its configuration again, and a node's first promotion did that while it admitted its
     * first writes.
     */
    public void boundRetainedWal() {
        String wanted = settings.maxSlotWalKeepSize();
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            if (!wanted.equals("-1")) {
                try (ResultSet rs = st.executeQuery("SELECT pg_size_bytes(current_setting('max_slot_wal_keep_size')),"
                        + " pg_size_bytes('" + wanted + "')")) {
                    rs.next();
                    long current = rs.getLong(1);
                    if (current != rs.getLong(2)) {
                        st.execute("ALTER SYSTEM SET max_slot_wal_keep_size = '" + wanted + "'");
                        st.execute("SELECT pg_reload_conf()");
                        log.info("max_slot_wal_keep_size: {} bytes -> {} (a secondary's slot may hold no more WAL)", current, wanted);
                    }
                }
            }
            walBoundSet = true;
        } catch (SQLException e) {
            walBoundSet = false;
            log.warn("cannot bound slot WAL retention: {}", e.getMessage());
        }
    }

    /**
     * On promotion, before {@code /primary} names this node: drops the publications that streams of earlier epochs
     * left without a slot. Only then: once a secondary knows the new epoch it creates its publication a moment before
     * the slot, and a publication without a slot may be a stream being set up. Publication {@code keep} (null for
     * none) stays: {@link #keepForRejoin} sets its tables anew, one catalog change instead of a drop and a create.
     */
    public void dropPublicationsWithoutSlot(String keep) {
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT pubname FROM pg_publication p WHERE pubname LIKE '" + prefix + "%'"
                    + " AND NOT EXISTS (SELECT 1 FROM pg_replication_slots s WHERE s.slot_name = p.pubname)")) {
                List<String> stale = new ArrayList<>();
                while (rs.next()) {
                    stale.add(rs.getString(1));
                }
                stale.remove(keep);
                for (String pub : stale) {
                    st.execute("DROP PUBLICATION IF EXISTS \"" + pub + "\"");
                    log.info("dropped publication {}: its stream belongs to an earlier epoch", pub);
                }
            }
        } catch (SQLException e) {
            log.warn("cannot drop publications of earlier epochs (they hold no WAL; the next promotion tries again): {}",
                    e.getMessage());
        }
    }

    /**
     * On promotion, before the write gate opens: creates the publication and slot {@code name} for the old primary, so
     * that if it rejoins without having diverged, it streams every write of this epoch without a fresh copy. When it
     * cannot be created, the old primary takes a fresh copy.
     */
    public void keepForRejoin(String name, ReplicationScope scope) {
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            ScopeCatalog.publish(c, scope, name);
            try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_replication_slots WHERE slot_name = '" + name + "'")) {
                if (rs.next()) {
                    log.info("slot {} already exists; the old primary may resume from it", name);
                    return;
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT (lsn - '0/0'::pg_lsn)::bigint FROM pg_create_logical_replication_slot('"
                    + name + "', 'pgoutput')")) {
                rs.next();
                log.info("created slot {} at {} for the old primary: if it has not diverged it streams on from there", name,
                        io.understudy.cluster.Lsn.format(rs.getLong(1)));
            }
        } catch (SQLException | RuntimeException e) {
            log.warn("cannot keep a slot for the old primary ({}); it will take a fresh copy if it rejoins: {}", name,
                    e.getMessage());
        }
    }

    private boolean exists(String name) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM pg_replication_slots WHERE slot_name = ? UNION ALL SELECT 1 FROM pg_publication WHERE pubname = ?")) {
            ps.setString(1, name);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    public boolean walBoundSet() {
        return walBoundSet;
    }

    /**
     * Drops slot and publication {@code name} now, ending the stream that reads the slot if there is one (its
     * walsender is terminated first: an active slot cannot be dropped). A stream that reconnects meanwhile is ended
     * again, a few times; a removed node stops streaming on its own once it sees its removal.
     *
     * @return what was dropped, for logs and history
     */
    public String dropNow(String name) throws SQLException {
        if (!exists(name)) {
            return "no slot or publication " + name + " was left";
        }
        boolean slotDropped = false;
        try (Connection c = db.getConnection()) {
            for (int attempt = 0; attempt < 20 && !slotDropped; attempt++) {
                try (PreparedStatement end = c.prepareStatement("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots"
                        + " WHERE slot_name = ? AND active_pid IS NOT NULL")) {
                    end.setString(1, name);
                    end.execute();
                }
                try (PreparedStatement drop = c.prepareStatement("SELECT pg_drop_replication_slot(slot_name) FROM"
                        + " pg_replication_slots WHERE slot_name = ?")) {
                    drop.setString(1, name);
                    drop.execute();
                    slotDropped = true;
                } catch (SQLException stillActive) {
                    // the walsender has not exited yet (object_in_use): look again shortly
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new SQLException("interrupted while dropping slot " + name, e);
                    }
                }
            }
            if (!slotDropped) {
                throw new SQLException("slot " + name + " stayed active: its stream reconnected after every attempt to end it");
            }
            try (Statement st = c.createStatement()) {
                st.execute("DROP PUBLICATION IF EXISTS \"" + name + "\"");
            }
        }
        goneSinceMs.remove(name);
        log.info("dropped slot and publication {} (its node was removed from the cluster)", name);
        return "slot and publication " + name + " dropped";
    }

    /**
     * Reads the slots, drops those of removed secondaries at once and of secondaries gone longer than allowed (or
     * invalidated), and returns the rest.
     *
     * @param presentSlots slot names of the secondaries currently registered in the cluster
     * @param removedSlots slot names of the nodes removed from the cluster
     */
    public List<SlotView> inspect(Set<String> presentSlots, Set<String> removedSlots, long nowMs) throws SQLException {
        for (String name : removedSlots) {
            dropNow(name);
        }
        List<SlotView> kept = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT slot_name, active, coalesce(wal_status, '') = 'lost',"
                        + " coalesce((pg_current_wal_lsn() - restart_lsn)::bigint, 0) FROM pg_replication_slots"
                        + " WHERE slot_type = 'logical' AND slot_name LIKE ? || '%' ORDER BY slot_name")) {
            ps.setString(1, prefix);
            List<String> drop = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    boolean active = rs.getBoolean(2);
                    if (presentSlots.contains(name) || active) {
                        goneSinceMs.remove(name);
                    } else {
                        goneSinceMs.putIfAbsent(name, nowMs);
                    }
                    long gone = goneSinceMs.containsKey(name) ? nowMs - goneSinceMs.get(name) : 0;
                    if (!active && (rs.getBoolean(3) || gone >= settings.slotDropAfterMs())) {
                        drop.add(name + (rs.getBoolean(3) ? " (invalidated: it held more WAL than allowed)"
                                : " (its secondary has been gone for " + gone / 1000 + " s)"));
                    } else {
                        kept.add(new SlotView(name, active, rs.getLong(4)));
                    }
                }
            }
            for (String what : drop) {
                String name = what.substring(0, what.indexOf(' '));
                try (PreparedStatement d = c.prepareStatement("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                        + " WHERE slot_name = ? AND NOT active"); Statement st = c.createStatement()) {
                    d.setString(1, name);
                    d.execute();
                    st.execute("DROP PUBLICATION IF EXISTS \"" + name + "\"");
                }
                goneSinceMs.remove(name);
                log.info("dropped slot and publication {}", what);
            }
        }
        return kept;
    }
}
