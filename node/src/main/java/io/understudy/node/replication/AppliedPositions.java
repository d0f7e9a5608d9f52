package io.understudy.node.replication;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * On a primary: how far each secondary streaming from it has processed its WAL, as the secondaries report it, and
 * waiting for a condition on those positions. Reports for another stream (an earlier epoch) are ignored. Thread-safe.
 *
 * <p>A waiter names the WAL position its condition needs, and a report wakes only the waiters whose position it
 * reaches: a condition on reported positions that was false stays false until some secondary reports at least the
 * position it waits for, since reports only move forward. In sync mode every client write waits here, and waking all
 * of them at every report made each report cost as many thread wake-ups as there were writes in flight.
 * {@link #signal} and {@link #serve} still wake everyone (what they change is not a position).
 */
final class AppliedPositions {

    private record Report(long position, long atNanos) {
    }

    /** One thread in {@link #await}; identity, not value, tells two apart. */
    private static final class Waiter {
        final Thread thread = Thread.currentThread();
        final long position;

        Waiter(long position) {
            this.position = position;
        }
    }

    static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final LongSupplier nanoClock;
    private final long recheckNanos;
    private final Map<String, Report> bySecondary = new HashMap<>();
    private final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();
    private String sourceId;

    AppliedPositions(LongSupplier nanoClock) {
        this(nanoClock, RECHECK_NANOS);
    }

    /** @param recheckNanos how often a waiter looks at its condition and its {@code keepWaiting} unwoken */
    AppliedPositions(LongSupplier nanoClock, long recheckNanos) {
        this.nanoClock = nanoClock;
        this.recheckNanos = recheckNanos;
    }

    /** This node now serves stream {@code id} (or none, null); earlier reports are forgotten. */
    synchronized void serve(String id) {
        sourceId = id;
        bySecondary.clear();
        wake(Long.MAX_VALUE);
    }

    synchronized String serving() {
        return sourceId;
    }

    /** Returns false when the report is for another stream. */
    synchronized boolean report(String nodeId, String reportedSource, long position) {
        if (sourceId == null || !sourceId.equals(reportedSource)) {
            return false;
        }
        Report earlier = bySecondary.get(nodeId);
        bySecondary.put(nodeId, new Report(Math.max(position, earlier == null ? 0 : earlier.position()), nanoClock.getAsLong()));
        wake(position);
        return true;
    }

    /** The furthest position each secondary reported. */
    synchronized Map<String, Long> positions() {
        Map<String, Long> out = new HashMap<>();
        bySecondary.forEach((node, report) -> out.put(node, report.position()));
        return out;
    }

    /** Milliseconds since each secondary's latest report. */
    synchronized Map<String, Long> ages() {
        long now = nanoClock.getAsLong();
        Map<String, Long> out = new HashMap<>();
        bySecondary.forEach((node, report) -> out.put(node, (now - report.atNanos()) / 1_000_000));
        return out;
    }

    /** Wakes every waiter to look at its condition again (something it reads besides the positions changed). */
    void signal() {
        wake(Long.MAX_VALUE);
    }

    /**
     * Waits until {@code condition} holds; false at the deadline or once {@code keepWaiting} says no. Looks again when
     * a secondary reports {@code position} or beyond, at every {@link #signal}, and every 20 ms (then also at
     * {@code keepWaiting}).
     *
     * @param position the WAL position {@code condition} waits for some secondary to report; it must stay false while
     *                 no report reaches it and nothing is signalled
     */
    boolean await(BooleanSupplier condition, long position, long deadlineNanos, BooleanSupplier keepWaiting)
            throws InterruptedException {
        Waiter waiter = new Waiter(position);
        waiters.add(waiter); // before the first look: a report from here on wakes it, so none is missed
        try {
            while (!condition.getAsBoolean()) {
                long left = deadlineNanos - nanoClock.getAsLong();
                if (left <= 0 || !keepWaiting.getAsBoolean()) {
                    return false;
                }
                LockSupport.parkNanos(this, Math.min(left, recheckNanos));
                if (Thread.interrupted()) {
                    throw new InterruptedException("waiting for WAL position " + position);
                }
            }
            return true;
        } finally {
            waiters.remove(waiter);
        }
    }

    private void wake(long reported) {
        for (Waiter waiter : waiters) {
            if (waiter.position <= reported) {
                LockSupport.unpark(waiter.thread);
            }
        }
    }
}
