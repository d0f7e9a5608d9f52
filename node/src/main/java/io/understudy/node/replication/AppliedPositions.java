package io.understudy.node.replication;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * On a primary: how far each secondary streaming from it has processed its WAL, as the secondaries report it, and
 * waiting for a position to be reached. Reports for another stream (an earlier epoch) are ignored. Thread-safe.
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

    /** The furthest position any secondary reported, 0 if none. */
    synchronized long best() {
        return bySecondary.values().stream().mapToLong(Report::position).max().orElse(0);
    }

    /** Milliseconds since the latest report of any secondary, -1 if none. */
    synchronized long sinceLastReportMs() {
        if (bySecondary.isEmpty()) {
            return -1;
        }
        long latest = bySecondary.values().stream().mapToLong(Report::atNanos).max().getAsLong();
        return (nanoClock.getAsLong() - latest) / 1_000_000;
    }

    /**
     * Waits until some secondary reported at least {@code target}; false at the deadline or once {@code keepWaiting}
     * says no. Rechecks {@code keepWaiting} every 20 ms.
     */
    synchronized boolean await(long target, long deadlineNanos, BooleanSupplier keepWaiting) throws InterruptedException {
        while (best() < target) {
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
