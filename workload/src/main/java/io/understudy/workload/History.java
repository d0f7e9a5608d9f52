package io.understudy.workload;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every request the writers made, appended as each completes. Also knows when the switch was
 * down on purpose, so failures then are told apart as expected. Thread-safe.
 */
public final class History {

    /** Failure class of a request that could not reach the switch while it was being restarted. */
    public static final String SWITCH_DOWN = "switch_down";

    private final ConcurrentLinkedQueue<Op> ops = new ConcurrentLinkedQueue<>();
    private final ConcurrentSkipListSet<Long> inFlight = new ConcurrentSkipListSet<>();
    private final AtomicLong highestDone = new AtomicLong();
    private volatile long switchDownSince = Long.MAX_VALUE;
    private volatile long switchUpAt = Long.MIN_VALUE;

    /** Write {@code seq} is being sent. */
    void started(long seq) {
        inFlight.add(seq);
    }

    /** One completed request: a write attempt or a read. */
    void add(Op op) {
        ops.add(op);
    }

    /** Write {@code seq} has its final outcome: no further attempt of it will be added. */
    void finished(long seq) {
        highestDone.accumulateAndGet(seq, Math::max);
        inFlight.remove(seq);
    }

    /** Every write numbered below this has its final outcome in the history. */
    public long firstIncompleteSeq() {
        Long first = inFlight.isEmpty() ? null : inFlight.first();
        return first != null ? first : highestDone.get() + 1;
    }

    /** Writes sent and not yet finished. */
    public int inFlight() {
        return inFlight.size();
    }

    public List<Op> snapshot() {
        return new ArrayList<>(ops);
    }

    /** The switch is going down now (a drill). */
    public void switchGoingDown() {
        switchUpAt = Long.MAX_VALUE;
        switchDownSince = System.nanoTime();
    }

    /** The switch answers again. */
    public void switchBackUp() {
        switchUpAt = System.nanoTime();
    }

    /** Whether a request sent at {@code startNanos} and failed at {@code endNanos} overlapped a switch outage. */
    boolean duringSwitchOutage(long startNanos, long endNanos) {
        return endNanos >= switchDownSince && startNanos <= switchUpAt;
    }

    public int ackedCount() {
        return (int) ops.stream().filter(op -> op.isWrite() && op.acked()).count();
    }

    /** The latest acknowledged write that was sent after {@code sinceNanos}, or null. */
    public Op lastAckSentAfter(long sinceNanos) {
        Op last = null;
        for (Op op : ops) {
            if (op.isWrite() && op.acked() && op.startNanos() > sinceNanos && (last == null || op.endNanos() > last.endNanos())) {
                last = op;
            }
        }
        return last;
    }

    /** See {@link AckGaps#longest}: the longest time in {@code [from, to]} without an acknowledged write, in ms. */
    public long longestAckGapMs(long from, long to) {
        return AckGaps.longest(snapshot(), from, to).millis();
    }

    /** Failed write attempts that ended in {@code [from, to]}, by class. */
    public Map<String, Long> failuresBetween(long from, long to) {
        Map<String, Long> failures = new TreeMap<>();
        for (Op op : ops) {
            if (op.isWrite() && !op.acked() && op.endNanos() >= from && op.endNanos() <= to) {
                failures.merge(op.outcome(), 1L, Long::sum);
            }
        }
        return failures;
    }
}
