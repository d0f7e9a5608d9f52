package io.understudy.node.role;

import io.understudy.cluster.MemberRecord;
import io.understudy.cluster.PrimaryRecord;
import io.understudy.cluster.Role;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The candidacy rules beyond "connected and streaming" (docs/architecture.md, "The node's roles"): the node's own
 * database and tags, the synchronous standbys (docs/membership.md), the lag rule, and the ranking between
 * candidates. Pure.
 *
 * <p>Ranking is a strict total order: {@code tags.priority} descending, then held position
 * descending, then node id ascending. A candidate defers only to a member whose own record says
 * eligible and that outranks it, comparing its current position with the other's published one.
 * Positions only grow within a stream and a deferring node publishes itself as not eligible, so two
 * eligible nodes cannot both defer: if A defers to B then rank(B published) > rank(A now) >=
 * rank(A published), so B, comparing rank(A published) with rank(B now) >= rank(B published), does
 * not defer to A. Deferral applies only while the recorded primary is not live; while it is, the
 * positions of streaming secondaries overtake each other constantly and every eligible one stays
 * in the election.
 */
final class CandidateRules {

    /** Highest rank first. */
    static final Comparator<Rank> ORDER = Comparator.comparingInt(Rank::priority).reversed()
            .thenComparing(Comparator.comparingLong(Rank::position).reversed())
            .thenComparing(Rank::nodeId);

    record Rank(String nodeId, int priority, long position) {
    }

    private CandidateRules() {
    }

    /**
     * Why this node may not become primary whatever the cluster looks like, if so.
     *
     * @param automatic by election, bootstrap or reclaim (priority 0 forbids those), not by a switchover naming it
     */
    static Optional<String> localProblem(Situation s, boolean automatic) {
        Fitness f = s.fitness();
        if (!f.db().reachable()) {
            return Optional.of(f.db().describe());
        }
        if (f.tags().nofailover()) {
            return Optional.of("tags.nofailover is set");
        }
        if (automatic && f.tags().priority() == 0) {
            return Optional.of("tags.priority is 0: never promoted automatically");
        }
        return Optional.empty();
    }

    /**
     * Why this streaming secondary may not take over from {@code primary} now (not one of its synchronous standbys,
     * lag, a better candidate), if so.
     */
    static Optional<String> takeOverProblem(Situation s, PrimaryRecord primary) {
        List<String> standbys = s.view().syncStandbysOfPrimary();
        if (!standbys.isEmpty() && !standbys.contains(s.nodeId())) {
            return Optional.of("not a synchronous standby of " + primary.nodeId() + "@" + primary.epoch() + " (standbys "
                    + standbys + "): it may lack writes that primary acknowledged");
        }
        long held = heldPosition(s);
        long published = s.fitness().primaryPosition();
        long max = s.view().settings().maxLagOnFailoverBytes();
        if (published >= 0 && published - held > max) {
            return Optional.of("lag " + (published - held) + " bytes > maxLagOnFailover " + max + " (" + primary.nodeId()
                    + "@" + primary.epoch() + " published " + published + ", holding " + held + ")");
        }
        if (s.view().livePrimary().isPresent()) {
            return Optional.empty();
        }
        Rank mine = new Rank(s.nodeId(), s.fitness().tags().priority(), held);
        return s.view().members().stream()
                .filter(m -> !m.nodeId().equals(s.nodeId()) && !m.nodeId().equals(primary.nodeId()))
                .filter(m -> m.role() == Role.SECONDARY && m.candidacy().eligible())
                .filter(m -> standbys.isEmpty() || standbys.contains(m.nodeId())) // a stale record must not hold us back
                .map(CandidateRules::rankOf)
                .filter(other -> ORDER.compare(other, mine) < 0)
                .min(ORDER)
                .map(better -> "deferring to " + better.nodeId() + " (priority " + better.priority() + ", position "
                        + better.position() + " against " + mine.priority() + ", " + mine.position() + ")");
    }

    /** What this node holds of its stream: the applied commit position, or further when heartbeats were processed. */
    static long heldPosition(Situation s) {
        return Math.max(s.stream().appliedPosition(), s.fitness().heldPosition());
    }

    static Rank rankOf(MemberRecord m) {
        return new Rank(m.nodeId(), m.candidacy().priority(), m.candidacy().position());
    }
}
