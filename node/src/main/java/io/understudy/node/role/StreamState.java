package io.understudy.node.role;

/**
 * What this node's database holds of a replication stream, as far as the role decision cares.
 *
 * @param sourceId         the stream's source ({@code <primaryNodeId>@<epoch>}), or {@code null} for none
 * @param snapshotComplete the first full copy from that source has been applied
 * @param failed           replication stopped on an error that needs an operator
 * @param appliedPosition  last applied source commit position
 */
public record StreamState(String sourceId, boolean snapshotComplete, boolean failed, long appliedPosition) {

    public static final StreamState NONE = new StreamState(null, false, false, 0);

    public boolean follows(String source) {
        return source.equals(sourceId);
    }

    /** The stream identity of a primary: its node and the epoch it was promoted in. */
    public static String sourceIdOf(io.understudy.cluster.PrimaryRecord primary) {
        return primary.nodeId() + "@" + primary.epoch();
    }
}
