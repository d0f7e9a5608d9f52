package io.understudy.node.role;

import static io.understudy.node.role.StreamState.sourceIdOf;

import io.understudy.cluster.ClusterView;
import io.understudy.cluster.MemberRecord;
import io.understudy.cluster.PrimaryRecord;
import io.understudy.cluster.Role;

/**
 * The highest WAL position a primary published in its member record while it was primary of its
 * epoch. Kept by each node so that the lag rule still knows it after the primary's ephemeral record
 * vanished with its session. Immutable; the event thread keeps the latest.
 *
 * @param sourceId the primary and epoch ({@code a@1}), or null before any was seen
 * @param position the highest position it published; -1 when none
 */
public record PrimaryMark(String sourceId, long position) {

    public static final PrimaryMark NONE = new PrimaryMark(null, -1);

    /** This mark, raised by what {@code view} shows the recorded primary publishing, or restarted for a new primary. */
    public PrimaryMark next(ClusterView view) {
        if (view.primary().isEmpty()) {
            return this;
        }
        PrimaryRecord primary = view.primary().get();
        String source = sourceIdOf(primary);
        PrimaryMark base = source.equals(sourceId) ? this : new PrimaryMark(source, -1);
        long published = view.member(primary.nodeId())
                .filter(m -> m.role() == Role.PRIMARY && m.epoch() == primary.epoch())
                .map(MemberRecord::position)
                .filter(p -> p > 0)
                .orElse(-1L);
        return published > base.position ? new PrimaryMark(source, published) : base;
    }

    /** The position known for {@code primary}, or -1. */
    public long positionOf(PrimaryRecord primary) {
        return sourceIdOf(primary).equals(sourceId) ? position : -1;
    }
}
