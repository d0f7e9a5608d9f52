package io.understudy.replicator.capture;

import io.understudy.replicator.apply.Change;
import java.util.ArrayList;
import java.util.List;

/**
 * Pure grouping of decoded events into units that are applied atomically on the target.
 * <ul>
 *   <li>a streamed source transaction (BEGIN .. END) becomes one {@link Kind#TRANSACTION} unit, released at its
 *       END event, never at the arrival of the next transaction;</li>
 *   <li>a transaction whose commit position is not above the applied one is a redelivery: {@link Kind#SKIP};</li>
 *   <li>consecutive snapshot rows of one batch become one {@link Kind#SNAPSHOT} unit (upserts, so a redone
 *       snapshot is harmless); the snapshot is complete at its last row, or when streaming shows it ended;</li>
 *   <li>heartbeats, messages and tombstones outside a transaction become {@link Kind#PROGRESS} units.</li>
 * </ul>
 * Records are acknowledged only with the unit that follows them, so an acknowledged offset never points inside a
 * transaction that is not yet committed on the target. Not thread-safe: one engine thread feeds it.
 *
 * @param <R> the engine's record type, carried through untouched for acknowledgement
 */
public final class TransactionAssembler<R> {

    /** What the writer must do with a unit. */
    public enum Kind {
        /** Apply the changes of one source transaction and store its commit position, in one local transaction. */
        TRANSACTION,
        /** Apply snapshot rows and store the snapshot position and completeness, in one local transaction. */
        SNAPSHOT,
        /** A redelivered transaction that is already applied: only acknowledge it. */
        SKIP,
        /** Nothing to apply: only acknowledge and note the stream's progress. */
        PROGRESS
    }

    /**
     * @param position  commit position to store (TRANSACTION, SNAPSHOT) or that was skipped (SKIP)
     * @param progress  how far the source stream has been processed once this unit is done (0 if unknown)
     * @param acks      records to acknowledge after the unit is committed, in arrival order
     */
    public record Unit<R>(Kind kind, List<Change> changes, long position, long commitTsMs, boolean snapshotComplete,
                          long progress, List<R> acks) {
    }

    /** One decoded event and the record it came from. */
    public record Item<R>(CaptureEvent event, R record) {
    }

    private long appliedPosition;
    private boolean snapshotComplete;
    private String openTx;
    private final List<Change> openChanges = new ArrayList<>();
    private final List<R> pendingAcks = new ArrayList<>();
    private final List<Change> snapshotRows = new ArrayList<>();
    private long snapshotPosition;

    public TransactionAssembler(long appliedPosition, boolean snapshotComplete) {
        this.appliedPosition = appliedPosition;
        this.snapshotComplete = snapshotComplete;
    }

    /**
     * Feeds one batch in arrival order and returns the units it completes, in order.
     *
     * @throws IllegalStateException if the events break transaction framing (fatal: the stream is not understood)
     */
    public List<Unit<R>> accept(List<Item<R>> batch) {
        List<Unit<R>> units = new ArrayList<>();
        for (Item<R> item : batch) {
            CaptureEvent event = item.event();
            if (!(event instanceof CaptureEvent.SnapshotRow)) {
                flushSnapshot(units, false);
            }
            if (!snapshotComplete && startsStreaming(event)) {
                markSnapshotComplete(units, event instanceof CaptureEvent.Progress p ? p.position() : 0);
            }
            pendingAcks.add(item.record());
            if (event instanceof CaptureEvent.SnapshotRow row) {
                onSnapshotRow(units, row);
            } else if (event instanceof CaptureEvent.Begin begin) {
                requireNoTransaction("BEGIN of " + begin.txId());
                openTx = begin.txId();
            } else if (event instanceof CaptureEvent.Data data) {
                onData(data);
            } else if (event instanceof CaptureEvent.End end) {
                onEnd(units, end);
            } else if (event instanceof CaptureEvent.Progress progress) {
                if (openTx == null) {
                    units.add(unit(Kind.PROGRESS, List.of(), 0, 0, progress.position()));
                }
            } else if (openTx == null) {
                units.add(unit(Kind.PROGRESS, List.of(), 0, 0, 0));
            }
        }
        flushSnapshot(units, false);
        return units;
    }

    public long appliedPosition() {
        return appliedPosition;
    }

    public boolean snapshotComplete() {
        return snapshotComplete;
    }

    /** Whether a source transaction has begun and not yet ended. */
    public boolean inTransaction() {
        return openTx != null;
    }

    private void onSnapshotRow(List<Unit<R>> units, CaptureEvent.SnapshotRow row) {
        requireNoTransaction("snapshot row");
        snapshotRows.add(row.change());
        snapshotPosition = row.position();
        if (row.last()) {
            flushSnapshot(units, true);
        }
    }

    private void onData(CaptureEvent.Data data) {
        if (openTx == null || !openTx.equals(data.txId())) {
            throw new IllegalStateException("change of transaction " + data.txId() + " outside its BEGIN/END (open: " + openTx + ")");
        }
        openChanges.add(data.change());
    }

    private void onEnd(List<Unit<R>> units, CaptureEvent.End end) {
        if (openTx == null || !openTx.equals(end.txId())) {
            throw new IllegalStateException("END of transaction " + end.txId() + " without its BEGIN (open: " + openTx + ")");
        }
        openTx = null;
        List<Change> changes = List.copyOf(openChanges);
        openChanges.clear();
        if (end.commitPosition() <= appliedPosition) {
            units.add(unit(Kind.SKIP, List.of(), end.commitPosition(), end.commitTsMs(), end.commitPosition()));
            return;
        }
        appliedPosition = end.commitPosition();
        units.add(unit(Kind.TRANSACTION, changes, end.commitPosition(), end.commitTsMs(), end.commitPosition()));
    }

    private static boolean startsStreaming(CaptureEvent event) {
        return event instanceof CaptureEvent.Begin || event instanceof CaptureEvent.Progress p && p.streaming();
    }

    /** Streaming began: if the snapshot never sent a last row (all tables empty), it is complete now. */
    private void markSnapshotComplete(List<Unit<R>> units, long position) {
        flushSnapshot(units, false);
        snapshotComplete = true;
        appliedPosition = Math.max(appliedPosition, position);
        units.add(unit(Kind.SNAPSHOT, List.of(), appliedPosition, 0, 0));
    }

    private void flushSnapshot(List<Unit<R>> units, boolean last) {
        if (snapshotRows.isEmpty()) {
            return;
        }
        List<Change> rows = List.copyOf(snapshotRows);
        snapshotRows.clear();
        snapshotComplete = snapshotComplete || last;
        appliedPosition = Math.max(appliedPosition, snapshotPosition);
        List<R> acks = List.copyOf(pendingAcks);
        pendingAcks.clear();
        units.add(new Unit<>(Kind.SNAPSHOT, rows, appliedPosition, 0, snapshotComplete, 0, acks));
    }

    private Unit<R> unit(Kind kind, List<Change> changes, long position, long commitTsMs, long progress) {
        List<R> acks = List.copyOf(pendingAcks);
        pendingAcks.clear();
        return new Unit<>(kind, changes, position, commitTsMs, snapshotComplete, progress, acks);
    }

    private void requireNoTransaction(String what) {
        if (openTx != null) {
            throw new IllegalStateException(what + " while transaction " + openTx + " is open");
        }
    }
}
