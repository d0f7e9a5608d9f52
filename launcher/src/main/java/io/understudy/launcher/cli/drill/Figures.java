package io.understudy.launcher.cli.drill;

import io.understudy.workload.AckGaps;
import io.understudy.workload.Op;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What the drill's client saw, counted from its request log. Pure. Times are milliseconds since the
 * load started.
 *
 * @param rtoMs                the longest time without an acknowledged write from the last acknowledgement before
 *                             the fault to the end of the load (the client-visible write gap; the load's own start,
 *                             with its cold connections, does not count)
 * @param rtoFromMs            when that gap began (the last acknowledgement before it)
 * @param rtoToMs              when it ended (the first acknowledgement after it)
 * @param writes               logical writes sent (each with its own id, key and body)
 * @param acknowledgedWrites   writes acknowledged (2xx), at the first attempt or a later one
 * @param unacknowledgedWrites writes never acknowledged: the client does not know whether they were applied
 * @param writeAttempts        write requests sent, retries included
 * @param failedWriteAttempts  write requests answered with an error or not at all
 * @param retriedWrites        writes sent more than once
 * @param replayedWrites       acknowledgements the node gave from its idempotency store (an earlier attempt had been applied)
 * @param reads                reads of acknowledged writes
 * @param okReads              reads that returned exactly the acknowledged body
 * @param failedReads          reads answered with an error or not at all
 * @param missingReads         reads answered 404: the acknowledged write was not there
 * @param wrongBodyReads       reads answered with another body
 * @param failedRequests       every request that did not succeed: failed write attempts and reads that were not ok
 * @param heldRequests         requests that succeeded but took longer than the slow threshold
 * @param maxLatencyMs         the slowest request that succeeded
 */
public record Figures(long rtoMs, long rtoFromMs, long rtoToMs, long writes, long acknowledgedWrites, long unacknowledgedWrites,
                      long writeAttempts, long failedWriteAttempts, long retriedWrites, long replayedWrites, long reads,
                      long okReads, long failedReads, long missingReads, long wrongBodyReads, long failedRequests,
                      long heldRequests, long maxLatencyMs) {

    /**
     * @param ops        every request of the drill
     * @param startNanos when the load started
     * @param faultNanos when the fault was injected
     * @param endNanos   when the load stopped
     * @param slowNanos  a request that succeeded slower than this counts as held
     */
    public static Figures of(List<Op> ops, long startNanos, long faultNanos, long endNanos, long slowNanos) {
        long lastBefore = ops.stream().filter(op -> op.isWrite() && op.acked() && op.endNanos() <= faultNanos)
                .mapToLong(Op::endNanos).max().orElse(faultNanos);
        AckGaps.Gap gap = AckGaps.longest(ops, lastBefore, endNanos);
        Set<Long> written = new HashSet<>();
        Set<Long> acked = new HashSet<>();
        Set<Long> retried = new HashSet<>();
        long attempts = 0;
        long failedAttempts = 0;
        long replayed = 0;
        long reads = 0;
        long okReads = 0;
        long missing = 0;
        long wrongBody = 0;
        long held = 0;
        long maxLatency = 0;
        for (Op op : ops) {
            if (op.acked()) {
                held += op.latencyNanos() > slowNanos ? 1 : 0;
                maxLatency = Math.max(maxLatency, op.latencyNanos());
            }
            if (op.isWrite()) {
                attempts++;
                written.add(op.seq());
                if (op.attempt() > 1) {
                    retried.add(op.seq());
                }
                if (op.acked()) {
                    acked.add(op.seq());
                    replayed += op.replayed() ? 1 : 0;
                } else {
                    failedAttempts++;
                }
            } else {
                reads++;
                okReads += op.acked() ? 1 : 0;
                missing += Op.MISSING.equals(op.outcome()) ? 1 : 0;
                wrongBody += Op.WRONG_BODY.equals(op.outcome()) ? 1 : 0;
            }
        }
        long failedReads = reads - okReads - missing - wrongBody;
        return new Figures(gap.millis(), ms(gap.fromNanos() - startNanos), ms(gap.toNanos() - startNanos), written.size(),
                acked.size(), written.size() - acked.size(), attempts, failedAttempts, retried.size(), replayed, reads, okReads,
                failedReads, missing, wrongBody, failedAttempts + (reads - okReads), held, ms(maxLatency));
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }
}
