package io.understudy.node.replication;

import io.understudy.node.replication.ReplicationSettings.SyncFallback;
import io.understudy.node.replication.ReplicationSettings.SyncMode;

/** Pure sync-mode decisions, from plain values. */
public final class SyncPolicy {

    private SyncPolicy() {
    }

    /** What to do with a write before it starts. */
    public enum Before {
        /** Async mode: commit and acknowledge. */
        PROCEED,
        /** Sync mode with a secondary attached: commit, then wait until it applied the write. */
        WAIT,
        /** Sync mode, no secondary, fallback {@code refuse}: answer 503, apply nothing. */
        REFUSE,
        /** Sync mode, no secondary, fallback {@code async}: commit and acknowledge, with the degraded alarm. */
        DEGRADED
    }

    public static Before before(SyncMode mode, SyncFallback fallback, boolean secondaryAttached) {
        if (mode == SyncMode.ASYNC) {
            return Before.PROCEED;
        }
        if (secondaryAttached) {
            return Before.WAIT;
        }
        return fallback == SyncFallback.REFUSE ? Before.REFUSE : Before.DEGRADED;
    }

    /** Whether a write whose wait timed out may still be acknowledged (only when degrading to async is allowed). */
    public static boolean acknowledgeAfterTimeout(SyncFallback fallback) {
        return fallback == SyncFallback.ASYNC;
    }

    /**
     * Whether a secondary counts as attached: it reported for our stream within {@code freshMs}, and it has caught
     * up with the position a timed-out wait had asked for ({@code catchUpTo}, 0 when none), so one slow secondary
     * does not make every write wait out the timeout.
     */
    public static boolean attached(long sinceLastReportMs, long freshMs, long reportedPosition, long catchUpTo) {
        return sinceLastReportMs >= 0 && sinceLastReportMs <= freshMs && reportedPosition >= catchUpTo;
    }
}
