package io.understudy.replicator.capture;

import io.understudy.replicator.apply.Change;

/** What one Debezium record means for the replicator, decoded from the record (see {@link RecordDecoder}). */
public sealed interface CaptureEvent {

    /** A source transaction begins (transaction metadata BEGIN). */
    record Begin(String txId) implements CaptureEvent {
    }

    /** A streamed row change inside the open transaction. */
    record Data(String txId, Change change) implements CaptureEvent {
    }

    /** A row of the initial snapshot; {@code last} marks the snapshot's final row. */
    record SnapshotRow(Change change, long position, boolean last) implements CaptureEvent {
    }

    /**
     * A source transaction ended (transaction metadata END).
     *
     * @param commitPosition end LSN of the transaction's commit record: monotonic in commit (= stream) order and
     *                       identical when the transaction is redelivered
     */
    record End(String txId, long commitPosition, long commitTsMs) implements CaptureEvent {
    }

    /**
     * A Debezium heartbeat or a logical decoding message: the stream has been processed up to {@code position}.
     *
     * @param streaming false while the initial snapshot is still running
     */
    record Progress(long position, boolean streaming) implements CaptureEvent {
    }

    /** Tombstones and anything else that changes nothing on the target. */
    record Ignored(String why) implements CaptureEvent {
    }
}
