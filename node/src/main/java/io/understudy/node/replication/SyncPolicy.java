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
        /** Sync mode with synchronous standbys: commit, then wait until every one applied the write. */
        WAIT,
        /** Sync mode without a standby that reports, fallback {@code refuse}: answer 503, apply nothing. */
        REFUSE,
        /** Sync mode without a standby, fallback {@code async}: commit and acknowledge, with the degraded alarm. */
        DEGRADED
    }

    /**
     * @param standbys    the primary has synchronous standbys ({@code /sync} names some)
     * @param anyReporting one of them reported within the freshness bound
     */
    public static Before before(SyncMode mode, SyncFallback fallback, boolean standbys, boolean anyReporting) {
        if (mode == SyncMode.ASYNC) {
            return Before.PROCEED;
        }
        if (!standbys) {
            return fallback == SyncFallback.REFUSE ? Before.REFUSE : Before.DEGRADED;
        }
        // Silent standbys leave within a tick when the fallback is async (the write then ends degraded); with refuse
        // the last one stays, so waiting out the timeout for it would only delay the refusal.
        return anyReporting || fallback == SyncFallback.ASYNC ? Before.WAIT : Before.REFUSE;
    }

    /** Whether a write whose wait timed out may still be acknowledged (only when degrading to async is allowed). */
    public static boolean acknowledgeAfterTimeout(SyncFallback fallback) {
        return fallback == SyncFallback.ASYNC;
    }
}
