package io.understudy.node;

import io.understudy.cluster.PrimaryRecord;
import io.understudy.node.election.ClaimLostException;
import io.understudy.node.store.Database;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a new primary's database needs before {@code /primary} names it and its write gate opens: schema changes
 * captured from the first write on, every sequence past what the old primary used, no slot of an earlier epoch's
 * stream left, and a slot from which the old primary can stream on if it rejoins. Event thread only.
 *
 * <p>The slot work runs on a thread of its own beside the capture and the sequences; both sides are done when
 * {@link #prepare} returns. Neither side writes what the other depends on: the capture writes catalog rows and
 * Understudy's own capture table, which no publication carries, and {@code setval} writes nothing a slot decodes; the
 * slot work writes no sequence and installs no capture. A slot waits for the transactions running when it is created,
 * so one created while the capture commits starts after it.
 */
final class SourcePreparation {

    private static final Logger log = LoggerFactory.getLogger(SourcePreparation.class);

    private final Database db;
    private final ReplicationManager replication;

    SourcePreparation(Database db, ReplicationManager replication) {
        this.db = db;
        this.replication = replication;
    }

    /**
     * Prepares the database; {@code previous} is the primary this node takes over from, null for none or itself.
     *
     * @throws ClaimLostException when capture or sequences cannot be prepared; the node streams on from
     *                            {@code previous} (when there is one) and may try again
     */
    void prepare(PrimaryRecord previous, Laps laps) throws Exception {
        FutureTask<Void> slots = startSlotWork(previous == null ? null : previous.nodeId());
        try {
            replication.app().prepareSource();
            laps.lap("capture prepared");
            if (previous != null) {
                replication.app().advanceSequences();
            }
        } catch (java.sql.SQLException | RuntimeException e) {
            awaitQuietly(slots); // follow() drops slots too: not while the slot work still runs
            dropSlotsQuietly(); // a secondary keeps none; the slot just made for the old primary would hold WAL
            if (previous != null) {
                replication.follow(previous);
            }
            throw new ClaimLostException("cannot prepare this database to serve as primary (" + e.getMessage() + ")"
                    + (previous == null ? "" : "; streaming on from " + previous.nodeId() + " and trying again"));
        }
        laps.lap("sequences advanced");
        try {
            slots.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
        laps.lap("slots");
    }

    /**
     * Nobody streams from a node that is not primary, so slots here belong to streams of an earlier epoch: they go.
     * The old primary's rejoin slot is made before /primary names this node (the old primary looks for it as soon as
     * it does), and so before the gate opens: the slot sees every write of the new epoch.
     */
    private FutureTask<Void> startSlotWork(String oldPrimary) {
        FutureTask<Void> work = new FutureTask<>(() -> {
            db.dropInactiveSlots(ReplicationManager.SLOT_PREFIX);
            replication.dropPublicationsWithoutSlot(oldPrimary);
            if (oldPrimary != null) {
                replication.keepSlotForRejoin(oldPrimary);
            }
            return null;
        });
        Thread thread = new Thread(work, "promotion-slots");
        thread.setDaemon(true);
        thread.start();
        return work;
    }

    private void dropSlotsQuietly() {
        try {
            db.dropInactiveSlots(ReplicationManager.SLOT_PREFIX);
        } catch (java.sql.SQLException e) {
            log.warn("slots of the abandoned promotion stay until this node follows again: {}", e.getMessage());
        }
    }

    private static void awaitQuietly(FutureTask<Void> work) throws InterruptedException {
        try {
            work.get();
        } catch (ExecutionException e) {
            log.warn("slot work of the abandoned promotion failed: {}", e.getCause().toString());
        }
    }
}
