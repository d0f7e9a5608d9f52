package io.understudy.node.replication;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * On a primary: how far each secondary streaming from it has processed its WAL, as the secondaries report it, and
 * waiting for a condition on those positions. Reports for another stream (an earlier epoch) are ignored. Thread-safe.
 */
final class AppliedPositions {

    private record Report(long position, long atNanos) {
    }

    private static final long RECHECK_NANOS = 20_000_000;

    private final LongSupplier nanoClock;
    private final Map<String, Report> bySecondary = new HashMap<>();
    private String sourceId;

    AppliedPositions(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** This node now serves stream {@code id} (or none, null); earlier reports are forgotten. */
    synchronized void serve(String id) {
        sourceId = id;
        bySecondary.clear();
        notifyAll();
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
        notifyAll();
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

    /** Wakes the waiters so they look at their condition again (something it reads besides the positions changed). */
    synchronized void signal() {
        notifyAll();
    }

    /**
     * Waits until {@code condition} holds, looking again at every report and every {@link #signal}; false at the
     * deadline or once {@code keepWaiting} says no. Rechecks {@code keepWaiting} every 20 ms.
     */
    synchronized boolean await(BooleanSupplier condition, long deadlineNanos, BooleanSupplier keepWaiting)
            throws InterruptedException {
        while (!condition.getAsBoolean()) {
            long left = deadlineNanos - nanoClock.getAsLong();
            if (left <= 0 || !keepWaiting.getAsBoolean()) {
                return false;
            }
            long waitNanos = Math.min(left, RECHECK_NANOS);
            wait(Math.max(1, waitNanos / 1_000_000));
        }
        return true;
    }
}
