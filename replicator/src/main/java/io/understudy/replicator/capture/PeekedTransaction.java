package io.understudy.replicator.capture;

import java.time.Instant;
import java.util.List;

/**
 * One committed source transaction read back from a slot without consuming it.
 *
 * @param commitPosition the end of its commit record: the position a stream records once it has applied it (and
 *                       what {@code PrimaryRecord.promotedFromPosition} is compared with)
 * @param commitLsn      the start of its commit record (Begin's "final LSN")
 * @param xid            its transaction id on the source
 * @param commitTime     its commit time on the source
 * @param changes        its row changes on the published tables, in order
 */
public record PeekedTransaction(long commitPosition, long commitLsn, long xid, Instant commitTime, List<PeekedChange> changes) {

    public PeekedTransaction {
        changes = List.copyOf(changes);
    }
}
