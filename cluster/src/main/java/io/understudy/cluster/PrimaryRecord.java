package io.understudy.cluster;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Objects;

/**
 * Content of the persistent {@code /primary} znode: who holds the write gate, in which epoch.
 * Only ever written with a versioned (conditional) set, so two promotions cannot both succeed.
 *
 * @param nodeId               the primary
 * @param apiUrl               its API base URL, where the switch sends traffic
 * @param dbAddress            its database, where secondaries stream from
 * @param epoch                fencing token, +1 at every promotion; starts at 1
 * @param sinceMs              wall-clock promotion time, for humans only
 * @param promotedFromNodeId   the previous primary, or {@code null} at bootstrap
 * @param promotedFromPosition the previous primary's commit position this node had applied when
 *                             it promoted (0 at bootstrap); rejoin compares against it
 * @param appUrl               the advertised URL of its application gateway, where the switch sends client traffic
 *                             instead of {@code apiUrl}; null when the node fronts no application (and in records
 *                             written before gateways existed)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PrimaryRecord(
        String nodeId,
        String apiUrl,
        String dbAddress,
        long epoch,
        long sinceMs,
        String promotedFromNodeId,
        long promotedFromPosition,
        String appUrl) {

    public PrimaryRecord {
        Objects.requireNonNull(nodeId, "nodeId");
        if (epoch < 1) {
            throw new IllegalArgumentException("epoch must be >= 1, got " + epoch);
        }
    }

    /** A record of a primary without an application gateway. */
    public PrimaryRecord(String nodeId, String apiUrl, String dbAddress, long epoch, long sinceMs, String promotedFromNodeId,
                         long promotedFromPosition) {
        this(nodeId, apiUrl, dbAddress, epoch, sinceMs, promotedFromNodeId, promotedFromPosition, null);
    }
}
