package io.understudy.cluster;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * Cluster-wide settings in the {@code /config} znode, so every node decides with the same values. A field missing
 * from the znode (or zero) takes its default; {@link #validated()} is what a writer checks before it writes.
 *
 * @param failoverPaused         automatic failover is off (maintenance); operator commands still work
 * @param pausedReason           why, and by whom, when paused
 * @param maxLagOnFailoverBytes  a secondary further than this behind the primary's last published
 *                               position may not promote automatically
 * @param historyMaxEntries      the primary deletes the oldest {@code /history} entries beyond this many
 * @param idempotencyKeyMaxAgeMs the primary deletes remembered {@code Idempotency-Key} responses older than this
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ClusterSettings(boolean failoverPaused, String pausedReason, long maxLagOnFailoverBytes,
                              int historyMaxEntries, long idempotencyKeyMaxAgeMs) {

    /** 1 MiB of WAL, the same order as other PostgreSQL HA managers use. */
    public static final long DEFAULT_MAX_LAG_ON_FAILOVER = 1L << 20;
    /**
     * Every promotion, demotion, command and duty run adds an entry; 1000 keeps weeks of failovers and a day of a
     * duty that runs every few minutes, and reads in one {@code getChildren} far below ZooKeeper's 1 MB packet limit.
     */
    public static final int DEFAULT_HISTORY_MAX_ENTRIES = 1000;
    public static final int MIN_HISTORY_MAX_ENTRIES = 10;
    /** About 50 bytes of child name each in a {@code getChildren} answer: 20,000 stay well inside 1 MB. */
    public static final int MAX_HISTORY_MAX_ENTRIES = 20_000;
    /**
     * 24 hours. The switch repeats a keyed request within seconds (its hold timeout plus one backend timeout), so a
     * key must outlive that by far; clients retry on their own too, after a 503 outcome_unknown or a failed batch
     * job, and 24 h covers a retry the next working day at the cost of one small row per keyed write.
     */
    public static final long DEFAULT_IDEMPOTENCY_KEY_MAX_AGE_MS = 24L * 60 * 60 * 1000;
    /** A key must outlive the switch's own retries (up to its hold timeout plus a 30 s backend timeout). */
    public static final long MIN_IDEMPOTENCY_KEY_MAX_AGE_MS = 10L * 60 * 1000;
    public static final long MAX_IDEMPOTENCY_KEY_MAX_AGE_MS = 90L * 24 * 60 * 60 * 1000;

    public static final ClusterSettings DEFAULTS = new ClusterSettings(false, null, DEFAULT_MAX_LAG_ON_FAILOVER);

    /**
     * A setting an operator may change with {@code understudy config set KEY=VALUE}; see {@link ConfigEdit}.
     * Numbers must lie in {@code [min, max]}; {@code min} and {@code max} mean nothing for other types.
     */
    public record Key(String name, long min, long max, String description) {
    }

    /** What {@code config set} may change. The pause flag is not here: pause and resume are commands, recorded as such. */
    public static final List<Key> SETTABLE = List.of(
            new Key("maxLagOnFailoverBytes", 1, Long.MAX_VALUE,
                    "a secondary further behind than this (bytes of WAL) never promotes automatically"));

    public ClusterSettings {
        if (maxLagOnFailoverBytes <= 0) {
            maxLagOnFailoverBytes = DEFAULT_MAX_LAG_ON_FAILOVER;
        }
        if (historyMaxEntries <= 0) {
            historyMaxEntries = DEFAULT_HISTORY_MAX_ENTRIES;
        }
        if (idempotencyKeyMaxAgeMs <= 0) {
            idempotencyKeyMaxAgeMs = DEFAULT_IDEMPOTENCY_KEY_MAX_AGE_MS;
        }
    }

    /** The failover settings alone; retention at its defaults. */
    public ClusterSettings(boolean failoverPaused, String pausedReason, long maxLagOnFailoverBytes) {
        this(failoverPaused, pausedReason, maxLagOnFailoverBytes, 0, 0);
    }

    public ClusterSettings withPause(boolean paused, String reason) {
        return new ClusterSettings(paused, paused ? reason : null, maxLagOnFailoverBytes, historyMaxEntries,
                idempotencyKeyMaxAgeMs);
    }

    public ClusterSettings withRetention(int historyEntries, long keyMaxAgeMs) {
        return new ClusterSettings(failoverPaused, pausedReason, maxLagOnFailoverBytes, historyEntries, keyMaxAgeMs);
    }

    /**
     * These settings, if every value is in range.
     *
     * @throws IllegalArgumentException naming the first field out of range, its bounds and its value
     */
    public ClusterSettings validated() {
        check("historyMaxEntries", historyMaxEntries, MIN_HISTORY_MAX_ENTRIES, MAX_HISTORY_MAX_ENTRIES);
        check("idempotencyKeyMaxAgeMs", idempotencyKeyMaxAgeMs, MIN_IDEMPOTENCY_KEY_MAX_AGE_MS,
                MAX_IDEMPOTENCY_KEY_MAX_AGE_MS);
        return this;
    }

    /** The history bound the primary keeps: the configured one, held inside the valid range if set by hand. */
    public int effectiveHistoryMaxEntries() {
        return (int) Math.max(MIN_HISTORY_MAX_ENTRIES, Math.min(MAX_HISTORY_MAX_ENTRIES, historyMaxEntries));
    }

    /** The key age the primary keeps: the configured one, held inside the valid range if set by hand. */
    public long effectiveIdempotencyKeyMaxAgeMs() {
        return Math.max(MIN_IDEMPOTENCY_KEY_MAX_AGE_MS, Math.min(MAX_IDEMPOTENCY_KEY_MAX_AGE_MS, idempotencyKeyMaxAgeMs));
    }

    private static void check(String field, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + " must be between " + min + " and " + max + ", got " + value);
        }
    }
}
