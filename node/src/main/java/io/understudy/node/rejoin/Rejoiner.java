package io.understudy.node.rejoin;

import static io.understudy.node.role.StreamState.sourceIdOf;

import io.understudy.cluster.Lsn;
import io.understudy.cluster.PrimaryRecord;
import io.understudy.node.role.RejoinState;
import io.understudy.node.store.Database;
import io.understudy.replicator.capture.SlotPeek;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The adapter behind {@code Action.Rejoin}: an old primary compares what it committed in its last epoch with the
 * position the new primary was promoted from, by peeking the slot the new primary streamed from (still on this
 * node's database), keeps whatever the new primary lacks in the quarantine, and returns the verdict. When it cannot
 * prove that nothing is missing (slot gone or invalidated, or the new primary was not promoted from this node), it
 * quarantines a full export of the application tables, marked incomplete. Never changes application data.
 * Event thread only.
 */
public final class Rejoiner {

    private static final Logger log = LoggerFactory.getLogger(Rejoiner.class);

    /** Prepares the stream from the new primary to resume where that primary began, without a fresh copy. */
    @FunctionalInterface
    public interface Seeder {
        /** The position the stream will resume after, or empty when it must take a fresh copy. */
        java.util.Optional<Long> seed(PrimaryRecord primary) throws Exception;
    }

    private final String nodeId;
    private final Database db;
    private final QuarantineStore quarantine;
    private final Supplier<List<String>> tables;

    /** @param tables the replicated tables, read when a full export needs them */
    public Rejoiner(String nodeId, Database db, QuarantineStore quarantine, Supplier<List<String>> tables) {
        this.nodeId = nodeId;
        this.db = db;
        this.quarantine = quarantine;
        this.tables = tables;
    }

    /**
     * Checks this node, old primary of {@code ownEpoch}, against {@code primary}; {@code slot} is the name of the
     * slot and publication {@code primary} streamed from here.
     */
    public RejoinState.Verdict check(PrimaryRecord primary, long ownEpoch, String slot, Seeder seeder) throws Exception {
        long p = primary.promotedFromPosition();
        SlotPeek.Outcome outcome = peek(primary, slot);
        if (outcome instanceof SlotPeek.Decoded decoded) {
            Divergence divergence = Divergence.after(p, decoded.transactions());
            if (divergence.none()) {
                return notDiverged(primary, ownEpoch, slot, seeder);
            }
            QuarantineStore.Header header = header(primary, ownEpoch, true, divergence.transactions().size()
                    + " transaction(s) committed after " + Lsn.format(p) + " that " + sourceIdOf(primary) + " never applied",
                    divergence.transactions().size(), divergence.changes());
            String id = quarantine.write(header, json -> {
                json.writeObjectField("summary", divergence.touched());
                json.writeObjectField("divergent", divergence.describe());
            });
            String reason = "diverged: " + divergence.transactions().size() + " transactions (" + divergence.changes()
                    + " changes) after " + Lsn.format(p) + " quarantined as " + id + "; resyncing";
            log.warn("{}; objects: {}", reason, divergence.touched());
            return new RejoinState.Verdict(sourceIdOf(primary), true, false, reason);
        }
        String why = ((SlotPeek.Unreadable) outcome).reason();
        QuarantineStore.Header header = header(primary, ownEpoch, false, "cannot prove this node is not diverged: " + why
                + "; this is a full export of the application tables", null, null);
        long[] rows = new long[1];
        String id = quarantine.write(header, json -> {
            json.writeObjectField("summary", List.of());
            rows[0] = FullExport.write(json, db, tables.get());
        });
        String reason = "cannot prove it is not diverged (" + why + "): full export of the application tables (" + rows[0]
                + " rows) quarantined as " + id + "; resyncing";
        log.warn(reason);
        return new RejoinState.Verdict(sourceIdOf(primary), true, false, reason);
    }

    private SlotPeek.Outcome peek(PrimaryRecord primary, String slot) {
        if (!nodeId.equals(primary.promotedFromNodeId())) {
            return new SlotPeek.Unreadable(sourceIdOf(primary) + " was promoted from " + primary.promotedFromNodeId()
                    + ", not from " + nodeId + ", so its position says nothing about what " + nodeId + " committed");
        }
        try (Connection c = db.dataSource().getConnection()) {
            endWritersStillInFlight(c);
            releaseDrainedStream(c, slot);
            return SlotPeek.peek(c, slot, slot);
        } catch (SQLException e) {
            return new SlotPeek.Unreadable("reading slot " + slot + " failed: " + e.getMessage());
        }
    }

    /**
     * A write admitted just before the gate closed may still be on its way to COMMIT. Had it committed after the
     * peek, the peek would have missed it and the resync would wipe it unseen. Ending every other transaction that
     * has written something (and waiting until its backend is gone) puts whatever did commit into the WAL the peek
     * reads; the client of such a write was never acknowledged, since the gate is shut.
     */
    private static void endWritersStillInFlight(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT pid, pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = current_database()"
                        + " AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND backend_xid IS NOT NULL")) {
            while (rs.next()) {
                if (rs.getBoolean(2)) {
                    log.info("ended transaction of backend {} that was still writing when this node stopped being primary",
                            rs.getInt(1));
                } else {
                    throw new SQLException("backend " + rs.getInt(1) + " still writing after 5 s; cannot read a settled slot");
                }
            }
        }
    }

    /**
     * The new primary's engine stops after its drain, in the background, so its walsender may still hold the slot.
     * That stream applies nothing any more (its drain sealed it before the new primary claimed its epoch) and nobody
     * else streams with that slot, so ending its walsender is safe and lets the peek read the slot now.
     */
    private static void releaseDrainedStream(Connection c, String slot) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT active_pid, pg_terminate_backend(active_pid, 5000)"
                + " FROM pg_replication_slots WHERE slot_name = ? AND active_pid IS NOT NULL")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    log.info("slot {} still held by walsender {} of the new primary's drained stream: {}", slot, rs.getInt(1),
                            rs.getBoolean(2) ? "ended it" : "it did not end within 5 s");
                }
            }
        }
    }

    private RejoinState.Verdict notDiverged(PrimaryRecord primary, long ownEpoch, String slot, Seeder seeder) {
        java.util.Optional<Long> seeded;
        try {
            seeded = seeder.seed(primary);
        } catch (Exception e) {
            log.warn("cannot prepare to stream from {} without a fresh copy: {}", sourceIdOf(primary), e.getMessage());
            seeded = java.util.Optional.empty();
        }
        String reason = "not diverged: nothing committed in epoch " + ownEpoch + " after " + Lsn.format(primary.promotedFromPosition())
                + " (slot " + slot + "); streaming from " + sourceIdOf(primary)
                + seeded.map(at -> " after " + Lsn.format(at) + ", without a fresh copy")
                        .orElse(" (it keeps no slot for this node: fresh copy)");
        log.info(reason);
        return new RejoinState.Verdict(sourceIdOf(primary), false, seeded.isPresent(), reason);
    }

    private QuarantineStore.Header header(PrimaryRecord primary, long ownEpoch, boolean complete, String reason,
                                          Integer transactions, Integer changes) {
        return new QuarantineStore.Header(nodeId, ownEpoch, primary.nodeId(), primary.epoch(), primary.promotedFromPosition(),
                Instant.now(), complete, reason, transactions, changes);
    }
}
