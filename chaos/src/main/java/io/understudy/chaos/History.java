package io.understudy.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Every request the writers made, appended as each completes. Also knows when the switch was
 * down on purpose, so failures then are told apart as expected. Thread-safe.
 */
public final class History {

    /** Failure class of a request that could not reach the switch while it was being restarted. */
    public static final String SWITCH_DOWN = "switch_down";

    private final ConcurrentLinkedQueue<Op> ops = new ConcurrentLinkedQueue<>();
    private final java.util.concurrent.ConcurrentSkipListSet<Long> inFlight = new java.util.concurrent.ConcurrentSkipListSet<>();
    private final java.util.concurrent.atomic.AtomicLong highestDone = new java.util.concurrent.atomic.AtomicLong();
    private volatile long switchDownSince = Long.MAX_VALUE;
    private volatile long switchUpAt = Long.MIN_VALUE;

    /** Request {@code seq} is being sent. */
    void started(long seq) {
        inFlight.add(seq);
    }

    void add(Op op) {
        ops.add(op);
        highestDone.accumulateAndGet(op.seq(), Math::max);
        inFlight.remove(op.seq());
    }

    /** Every request numbered below this has completed (its op is in the history). */
    long firstIncompleteSeq() {
        Long first = inFlight.isEmpty() ? null : inFlight.first();
        return first != null ? first : highestDone.get() + 1;
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
        return (int) ops.stream().filter(Op::acked).count();
    }

    /** The latest acknowledged request that was sent after {@code sinceNanos}, or null. */
    public Op lastAckSentAfter(long sinceNanos) {
        Op last = null;
        for (Op op : ops) {
            if (op.acked() && op.startNanos() > sinceNanos && (last == null || op.endNanos() > last.endNanos())) {
                last = op;
            }
        }
        return last;
    }

    /**
     * The longest time in {@code [from, to]} without an acknowledgement: from {@code from} to the
     * first ack, between consecutive acks, and from the last ack to {@code to}; in milliseconds.
     */
    public long longestAckGapMs(long from, long to) {
        long previous = from;
        long longest = 0;
        List<Long> ends = ops.stream().filter(Op::acked).map(Op::endNanos).filter(t -> t >= from && t <= to).sorted().toList();
        for (long end : ends) {
            longest = Math.max(longest, end - previous);
            previous = end;
        }
        longest = Math.max(longest, to - previous);
        return longest / 1_000_000;
    }

    /** Failed requests that ended in {@code [from, to]}, by class. */
    public Map<String, Long> failuresBetween(long from, long to) {
        Map<String, Long> failures = new TreeMap<>();
        for (Op op : ops) {
            if (!op.acked() && op.endNanos() >= from && op.endNanos() <= to) {
                failures.merge(op.outcome(), 1L, Long::sum);
            }
        }
        return failures;
    }
}
