package io.understudy.node.replication;

import io.understudy.cluster.config.Settings;
import java.util.List;
import java.util.Locale;

/**
 * The node's replication settings (keys {@code replication.*}), validated at start.
 *
 * @param mode               {@code replication.mode}: {@link SyncMode#ASYNC} (default) acknowledges a write once it is
 *                           committed here; {@link SyncMode#SYNC} only once a secondary has applied it
 * @param syncTimeoutMs      {@code replication.syncTimeoutMs} (default 5000): how long a sync write waits for a secondary
 * @param syncFallback       {@code replication.syncFallback} (default {@code refuse}): what sync mode does without a
 *                           secondary: refuse writes, or degrade to async with an alarm
 * @param maxSlotWalKeepSize {@code replication.maxSlotWalKeepSize} (default {@code 1GB}): each node sets PostgreSQL's
 *                           {@code max_slot_wal_keep_size} to this when it starts and when it is promoted, so an
 *                           absent secondary cannot fill the primary's disk (its
 *                           slot is invalidated instead and it resyncs); {@code -1} leaves the server's setting alone
 * @param slotAlarmBytes     {@code replication.slotAlarmBytes} (default 256 MiB): WAL held by a slot that raises an alarm
 * @param slotDropAfterMs    {@code replication.slotDropAfterMs} (default 10 min): how long a secondary may be gone from
 *                           the cluster before the primary drops its slot and publication
 */
public record ReplicationSettings(SyncMode mode, long syncTimeoutMs, SyncFallback syncFallback, String maxSlotWalKeepSize,
                                  long slotAlarmBytes, long slotDropAfterMs) {

    /** Keys this record reads; the node's key list includes them. */
    public static final List<String> KEYS = List.of("replication.mode", "replication.syncTimeoutMs", "replication.syncFallback",
            "replication.maxSlotWalKeepSize", "replication.slotAlarmBytes", "replication.slotDropAfterMs");

    public static final ReplicationSettings DEFAULTS =
            new ReplicationSettings(SyncMode.ASYNC, 5000, SyncFallback.REFUSE, "1GB", 256L << 20, 600_000);

    /** When a write is acknowledged. */
    public enum SyncMode {
        /** Once committed on the primary; the secondary follows (RPO bounded by the lag). */
        ASYNC,
        /** Once a secondary has applied it (RPO 0). */
        SYNC
    }

    /** What sync mode does when no secondary can confirm in time. */
    public enum SyncFallback {
        /** Refuse writes (503): nothing is acknowledged that only the primary holds. */
        REFUSE,
        /** Acknowledge anyway and raise the {@code sync_degraded} alarm until a secondary is back. */
        ASYNC
    }

    public static ReplicationSettings from(Settings s) {
        return new ReplicationSettings(
                SyncMode.valueOf(s.matching("replication.mode", "async", v -> v.equals("async") || v.equals("sync"),
                        "must be 'async' or 'sync'").toUpperCase(Locale.ROOT)),
                s.longValue("replication.syncTimeoutMs", 5000, 1, 600_000),
                SyncFallback.valueOf(s.matching("replication.syncFallback", "refuse", v -> v.equals("refuse") || v.equals("async"),
                        "must be 'refuse' or 'async'").toUpperCase(Locale.ROOT)),
                s.matching("replication.maxSlotWalKeepSize", "1GB", v -> v.equals("-1") || v.matches("[1-9][0-9]*(kB|MB|GB|TB)"),
                        "must be a PostgreSQL size such as 512MB or 2GB, or -1 to leave the server's setting"),
                s.longValue("replication.slotAlarmBytes", 256L << 20, 1 << 20, 1L << 50),
                s.longValue("replication.slotDropAfterMs", 600_000, 1000, 30L * 24 * 3600 * 1000));
    }
}
