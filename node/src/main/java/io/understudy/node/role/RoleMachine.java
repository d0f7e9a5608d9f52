package io.understudy.node.role;

import static io.understudy.node.role.StreamState.sourceIdOf;

import io.understudy.cluster.ClusterView;
import io.understudy.cluster.HistoryRecord;
import io.understudy.cluster.MemberRecord;
import io.understudy.cluster.PrimaryRecord;
import io.understudy.cluster.Role;
import java.util.List;
import java.util.Optional;

/**
 * The node's role decisions, as pure functions of a {@link Situation}. No I/O: the node's event
 * thread takes a snapshot, asks here, and its adapters carry out the returned actions.
 *
 * <p>Safety rules encoded here: a node whose ZooKeeper session expired stops being primary (while
 * merely disconnected it keeps the role with its write gate shut); a primary that
 * sees a newer epoch or another owner of {@code /primary} steps down; only an eligible election
 * winner promotes, and only when the recorded primary is no longer live; a primary whose own
 * database stopped answering for {@code db.failTimeoutMs} steps down. Who is eligible beyond
 * "connected and streaming" (database, tags, lag, better candidates) is {@link CandidateRules}.
 */
public final class RoleMachine {

    private RoleMachine() {
    }

    /** The next transition, or empty when the node should stay as it is. */
    public static Optional<Decision> decide(Situation s) {
        switch (s.link()) {
            case LOST:
                return s.role() == Role.PRIMARY
                        ? Optional.of(Decision.to(Role.DEMOTED, "ZooKeeper session expired",
                                new Action.Demote("ZooKeeper session expired")))
                        : Optional.empty();
            case SUSPENDED:
                // The gate is already shut; wait to learn whether the session survives.
                return Optional.empty();
            default:
                break;
        }
        Fitness.DbHealth db = s.fitness().db();
        if (s.role() == Role.PRIMARY && db.failed()) {
            String why = "own " + db.describe() + ", db.failTimeoutMs is " + db.failTimeoutMs();
            return Optional.of(Decision.to(Role.DEMOTED, why, new Action.Demote(why)));
        }
        if (!db.reachable() && s.role() != Role.PRIMARY) {
            return Optional.empty(); // nothing can be copied, applied or served until the database answers again
        }
        Optional<Decision> commanded = CommandRules.decide(s);
        if (commanded.isPresent()) {
            return commanded;
        }
        Optional<PrimaryRecord> recorded = s.view().primary();
        if (recorded.isEmpty()) {
            return decideWithoutPrimary(s);
        }
        PrimaryRecord primary = recorded.get();
        boolean mine = primary.nodeId().equals(s.nodeId());
        return switch (s.role()) {
            case STARTING -> mine ? reclaim(s, primary, "restarted as the last primary " + at(primary))
                    : s.rejoin().pending() ? rejoin(s, primary, s.rejoin().unresolvedEpoch())
                    : Optional.of(Decision.to(Role.SECONDARY, "joining cluster whose primary is " + at(primary),
                            new Action.FollowPrimary(primary)));
            case SECONDARY, RESYNCING -> decideAsReplica(s, primary, mine);
            // A record older than our own epoch is a view that has not caught up with our promotion yet.
            case PRIMARY -> primary.epoch() < s.epoch() ? Optional.empty()
                    : mine && primary.epoch() == s.epoch() ? reopenAfterReconnect(s)
                    : Optional.of(Decision.to(Role.DEMOTED, "newer primary " + at(primary) + " replaces epoch " + s.epoch(),
                            new Action.Demote("primary is now " + at(primary))));
            case DEMOTED -> mine && primary.epoch() == s.epoch()
                    ? reclaim(s, primary, "no other node took over from " + at(primary))
                    : rejoin(s, primary, s.epoch());
        };
    }

    /** Whether the oldest command is a switchover or targeted failover that hands the primary role to {@code nodeId}. */
    public static boolean handsOverTo(ClusterView view, String nodeId) {
        return CommandRules.pendingHandOver(view).filter(q -> nodeId.equals(q.command().targetNodeId())).isPresent();
    }

    /** Whether this node may stand in the election now. */
    public static Eligibility eligibility(Situation s) {
        if (!s.connected()) {
            return Eligibility.no("no ZooKeeper connection");
        }
        if (s.role() == Role.PRIMARY) {
            // Also while our view still shows the record we replaced: leaving now would hand the
            // latch to a node the next view update will tell to follow us.
            return Eligibility.yes("primary of epoch " + s.epoch());
        }
        Optional<String> unfit = CandidateRules.localProblem(s, true);
        if (unfit.isPresent()) {
            return Eligibility.no(unfit.get());
        }
        Optional<PrimaryRecord> recorded = s.view().primary();
        if (recorded.isEmpty()) {
            return Eligibility.yes("empty cluster: bootstrap candidate");
        }
        PrimaryRecord primary = recorded.get();
        if (primary.nodeId().equals(s.nodeId())) {
            if (s.role() == Role.RESYNCING || s.role() == Role.SECONDARY) {
                return Eligibility.no("recorded as primary but replicating; waiting for the record to move");
            }
            return CommandRules.pendingHandOver(s.view())
                    .map(q -> Eligibility.no("handing the primary role over (command " + q.command().id() + ")"))
                    .orElse(Eligibility.yes("last recorded primary " + at(primary)));
        }
        if (s.view().settings().failoverPaused() && CommandRules.pendingDrill(s.view()).isEmpty()) {
            return Eligibility.no("automatic failover is paused (" + s.view().settings().pausedReason() + ")");
        }
        if (s.role() != Role.SECONDARY) {
            return Eligibility.no("role " + s.role() + " cannot take over from " + at(primary));
        }
        Optional<String> otherTarget = CommandRules.handOverTarget(s.view(), primary)
                .filter(target -> !target.equals(s.nodeId()));
        if (otherTarget.isPresent()) {
            return Eligibility.no("the primary role is being handed over to " + otherTarget.get());
        }
        StreamState stream = s.stream();
        if (stream.failed()) {
            return Eligibility.no("replication failed");
        }
        if (!stream.follows(sourceIdOf(primary))) {
            return Eligibility.no("not yet streaming from " + at(primary));
        }
        if (!stream.snapshotComplete()) {
            return Eligibility.no("first copy from " + at(primary) + " still in progress");
        }
        return CandidateRules.takeOverProblem(s, primary).map(Eligibility::no)
                .orElseGet(() -> Eligibility.yes("streaming from " + at(primary) + ", snapshot complete"));
    }

    private static Optional<Decision> decideWithoutPrimary(Situation s) {
        if (s.role() == Role.PRIMARY) {
            // Someone removed /primary: without a record nobody can prove we still own the epoch.
            return Optional.of(Decision.to(Role.DEMOTED, "the /primary record disappeared",
                    new Action.Demote("the /primary record disappeared")));
        }
        if (s.leader() && (s.role() == Role.STARTING || s.role() == Role.DEMOTED) && eligibility(s).eligible()) {
            return Optional.of(Decision.to(Role.PRIMARY, "bootstrap: empty cluster and won the election",
                    new Action.Promote(1, null, HistoryRecord.Type.BOOTSTRAP, "bootstrap of an empty cluster")));
        }
        return Optional.empty();
    }

    private static Optional<Decision> decideAsReplica(Situation s, PrimaryRecord primary, boolean mine) {
        if (mine) {
            return Optional.empty();
        }
        if (!s.stream().follows(sourceIdOf(primary))) {
            return Optional.of(Decision.to(Role.RESYNCING, "primary is now " + at(primary) + "; taking a fresh copy",
                    new Action.FollowPrimary(primary)));
        }
        if (s.role() == Role.RESYNCING && s.stream().snapshotComplete()) {
            return Optional.of(Decision.to(Role.SECONDARY, "fresh copy from " + at(primary) + " complete"));
        }
        if (s.leader() && s.view().livePrimary().isEmpty() && eligibility(s).eligible()) {
            String why = "primary " + at(primary) + " " + absence(s.view(), primary) + "; won the election";
            Action promote = new Action.Promote(primary.epoch() + 1, primary, HistoryRecord.Type.PROMOTION, why);
            return Optional.of(CommandRules.pendingDrill(s.view())
                    .map(drill -> new Decision(Role.PRIMARY, List.of(promote, new Action.CompleteCommand(drill,
                            "drill: " + s.nodeId() + " took over as primary of epoch " + (primary.epoch() + 1))), why))
                    .orElse(Decision.to(Role.PRIMARY, why, promote)));
        }
        return Optional.empty();
    }

    /**
     * An old primary of {@code ownEpoch} joining under {@code primary}: first a divergence check, then, on its
     * verdict, stream on (not diverged) or take a fresh copy (diverged: the divergent transactions are quarantined).
     */
    private static Optional<Decision> rejoin(Situation s, PrimaryRecord primary, long ownEpoch) {
        RejoinState.Verdict verdict = s.rejoin().verdict();
        if (verdict == null || !verdict.primarySourceId().equals(sourceIdOf(primary))) {
            return Optional.of(Decision.to(s.role(), "old primary of epoch " + ownEpoch + " rejoining under " + at(primary)
                    + ": checking for divergence", new Action.Rejoin(primary, ownEpoch)));
        }
        if (verdict.diverged() || !verdict.seeded()) {
            return Optional.of(Decision.to(Role.RESYNCING, verdict.reason() + "; taking a fresh copy from " + at(primary),
                    new Action.FollowPrimary(primary)));
        }
        return Optional.of(Decision.to(Role.SECONDARY, verdict.reason(), new Action.FollowPrimary(primary)));
    }

    private static Optional<Decision> reopenAfterReconnect(Situation s) {
        return s.gateOpen() ? Optional.empty()
                : Optional.of(Decision.to(Role.PRIMARY, "ZooKeeper session survived the disconnection; still primary of epoch "
                        + s.epoch(), new Action.ReopenGate(s.epoch())));
    }

    private static Optional<Decision> reclaim(Situation s, PrimaryRecord primary, String why) {
        if (!s.leader() || !eligibility(s).eligible()
                || s.view().livePrimary().filter(p -> !p.nodeId().equals(s.nodeId())).isPresent()) {
            return Optional.empty();
        }
        String reason = why + "; won the election";
        return Optional.of(Decision.to(Role.PRIMARY, reason,
                new Action.Promote(primary.epoch() + 1, primary, HistoryRecord.Type.PROMOTION, reason)));
    }

    private static String absence(ClusterView view, PrimaryRecord primary) {
        return view.member(primary.nodeId())
                .map(MemberRecord::role)
                .map(role -> "reports role " + role)
                .orElse("is gone from ZooKeeper");
    }

    private static String at(PrimaryRecord p) {
        return p.nodeId() + "@" + p.epoch();
    }
}
