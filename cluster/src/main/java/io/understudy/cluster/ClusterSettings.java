package io.understudy.cluster;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * Cluster-wide settings in the {@code /config} znode, so every node decides with the same values.
 *
 * @param failoverPaused         automatic failover is off (maintenance); operator commands still work
 * @param pausedReason           why, and by whom, when paused
 * @param maxLagOnFailoverBytes  a secondary further than this behind the primary's last published
 *                               position may not promote automatically
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ClusterSettings(boolean failoverPaused, String pausedReason, long maxLagOnFailoverBytes) {

    /** 1 MiB of WAL, the same order as other PostgreSQL HA managers use. */
    public static final long DEFAULT_MAX_LAG_ON_FAILOVER = 1L << 20;

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
    }

    public ClusterSettings withPause(boolean paused, String reason) {
        return new ClusterSettings(paused, paused ? reason : null, maxLagOnFailoverBytes);
    }
}
