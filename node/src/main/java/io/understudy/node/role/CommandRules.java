package io.understudy.node.role;

import static io.understudy.node.role.StreamState.sourceIdOf;

import io.understudy.cluster.ClusterView;
import io.understudy.cluster.CommandRecord;
import io.understudy.cluster.HistoryRecord;
import io.understudy.cluster.MemberRecord;
import io.understudy.cluster.PrimaryRecord;
import io.understudy.cluster.QueuedCommand;
import io.understudy.cluster.Role;
import java.util.List;
import java.util.Optional;

/**
 * What a node does about the oldest operator command in {@code /commands} (contract in
 * {@link CommandRecord}), as pure functions of a {@link Situation}.
 *
 * <p>A hand-over (SWITCHOVER, or a FAILOVER drill) takes two steps, each by a different node: the
 * primary checks the request, lets the target catch up while it still takes writes, shuts its write gate and
 * publishes DEMOTED; then the target, seeing
 * the primary demoted, drains and promotes with epoch + 1 and removes the command. A FAILOVER
 * without a target lets the ordinary election pick the promoter, which removes the command.
 * Commands that cannot be carried out are removed with the reason in history; a switchover naming
 * a {@code tags.nofailover} node is one of them (a {@code tags.priority} 0 node may be named).
 */
final class CommandRules {

    private CommandRules() {
    }

    static Optional<Decision> decide(Situation s) {
        Optional<QueuedCommand> next = s.view().nextCommand();
        if (next.isEmpty()) {
            return Optional.empty();
        }
        QueuedCommand queued = next.get();
        return switch (queued.command().type()) {
            case PAUSE, RESUME -> administers(s) ? Optional.of(setPaused(s, queued)) : Optional.empty();
            case SWITCHOVER, FAILOVER -> handOver(s, queued);
            case REMOVE_MEMBER -> s.view().livePrimary().filter(p -> p.nodeId().equals(s.nodeId())).isPresent()
                    ? MembershipRules.remove(s, queued)
                    : refuse(s, queued, "the cluster has no live primary to drop the node's slot and publication");
        };
    }

    /** The oldest command when it is a FAILOVER drill with no named target, which the election resolves. */
    static Optional<QueuedCommand> pendingDrill(ClusterView view) {
        return view.nextCommand().filter(q -> q.command().type() == CommandRecord.Type.FAILOVER
                && q.command().targetNodeId() == null);
    }

    /** The oldest command when it asks the primary to hand over its role. */
    static Optional<QueuedCommand> pendingHandOver(ClusterView view) {
        return view.nextCommand().filter(q -> q.command().type() == CommandRecord.Type.SWITCHOVER
                || q.command().type() == CommandRecord.Type.FAILOVER);
    }

    private static Decision setPaused(Situation s, QueuedCommand queued) {
        boolean pause = queued.command().type() == CommandRecord.Type.PAUSE;
        String reason = (pause ? "automatic failover paused" : "automatic failover resumed") + " by "
                + queued.command().requestedBy() + describe(queued.command());
        return new Decision(s.role(), List.of(new Action.SetFailoverPaused(pause, reason),
                new Action.CompleteCommand(queued, pause ? "paused" : "resumed")), reason);
    }

    private static Optional<Decision> handOver(Situation s, QueuedCommand queued) {
        CommandRecord c = queued.command();
        Optional<PrimaryRecord> recorded = s.view().primary();
        if (recorded.isEmpty()) {
            return refuse(s, queued, "the cluster has no primary to hand over from");
        }
        PrimaryRecord primary = recorded.get();
        if (c.expectedEpoch() != 0 && c.expectedEpoch() < primary.epoch() && primary.nodeId().equals(c.targetNodeId())) {
            // The hand-over happened: the target holds /primary in a newer epoch. It completes the command as the last
            // step of its promotion, but the old primary may see the new epoch first (before the target's member record
            // says PRIMARY) and would otherwise record a done switchover as refused.
            String done = done(primary.nodeId(), primary.epoch());
            return answer(s, queued, done, "completing " + c.type() + ": " + done);
        }
        if (c.expectedEpoch() != 0 && c.expectedEpoch() != primary.epoch()) {
            return refuse(s, queued, "the cluster is in epoch " + primary.epoch() + ", not the expected " + c.expectedEpoch());
        }
        boolean mine = primary.nodeId().equals(s.nodeId()) && primary.epoch() == s.epoch();
        if (mine && s.role() == Role.PRIMARY) {
            if (s.nodeId().equals(c.targetNodeId())) {
                return Optional.of(new Decision(s.role(), List.of(new Action.CompleteCommand(queued,
                        "nothing to do: " + s.nodeId() + " is already the primary")), "command for the current primary"));
            }
            Optional<String> problem = targetProblem(s.view(), c.targetNodeId(), primary);
            if (problem.isPresent()) {
                return Optional.of(new Decision(s.role(), List.of(new Action.CompleteCommand(queued, "refused: "
                        + problem.get())), "refusing " + c.type() + ": " + problem.get()));
            }
            String why = "handing over: " + c.type() + describe(c) + " requested by " + c.requestedBy();
            return Optional.of(Decision.to(Role.DEMOTED, why, new Action.CatchUp(c.targetNodeId()), new Action.Demote(why)));
        }
        if (mine && s.role() == Role.DEMOTED) {
            // Demoted for this hand-over; if it can no longer happen, say so, so the role can be reclaimed.
            return targetProblem(s.view(), c.targetNodeId(), primary)
                    .map(problem -> new Decision(s.role(), List.of(new Action.CompleteCommand(queued,
                            "abandoned: " + problem)), "abandoning " + c.type() + ": " + problem));
        }
        if (s.nodeId().equals(c.targetNodeId()) && s.role() == Role.SECONDARY && s.view().livePrimary().isEmpty()
                && s.stream().follows(sourceIdOf(primary)) && s.stream().snapshotComplete() && !s.stream().failed()
                && CandidateRules.localProblem(s, false).isEmpty()) {
            long epoch = primary.epoch() + 1;
            HistoryRecord.Type kind = c.type() == CommandRecord.Type.SWITCHOVER
                    ? HistoryRecord.Type.SWITCHOVER : HistoryRecord.Type.DRILL;
            String why = c.type() + " from " + primary.nodeId() + "@" + primary.epoch() + describe(c)
                    + " requested by " + c.requestedBy();
            return Optional.of(new Decision(Role.PRIMARY, List.of(new Action.Promote(epoch, primary, kind, why),
                    new Action.CompleteCommand(queued, done(s.nodeId(), epoch))), why));
        }
        return Optional.empty();
    }

    /**
     * The node a pending switchover or targeted failover hands the primary role to, while that node is still a healthy
     * secondary: the other secondaries stand aside, or the election leader would race the target as soon as the old
     * primary reports DEMOTED. When the target dies, freezes past its session or stops streaming, this is empty again
     * and the election goes on as usual.
     */
    static Optional<String> handOverTarget(ClusterView view, PrimaryRecord primary) {
        return pendingHandOver(view).map(q -> q.command().targetNodeId())
                .filter(target -> view.member(target).filter(m -> isReadySecondary(m, primary)).isPresent());
    }

    /** Why the hand-over cannot go to {@code target} (any healthy secondary when null), if it cannot. */
    private static Optional<String> targetProblem(ClusterView view, String target, PrimaryRecord primary) {
        if (target == null) {
            // The election picks the promoter, so it must be a candidate for automatic promotion.
            return view.members().stream().anyMatch(m -> isReadySecondary(m, primary) && !m.candidacy().nofailover()
                    && m.candidacy().priority() > 0) ? Optional.empty()
                    : Optional.of("no healthy secondary without tags.nofailover and with tags.priority > 0 to take over");
        }
        Optional<MemberRecord> member = view.member(target);
        if (member.isEmpty()) {
            return Optional.of("target " + target + " is not a member of the cluster");
        }
        if (member.get().candidacy().nofailover()) {
            return Optional.of("target " + target + " has tags.nofailover set: it never becomes primary");
        }
        return isReadySecondary(member.get(), primary) ? Optional.empty()
                : Optional.of("target " + target + " is " + member.get().role()
                        + (member.get().healthy() ? "" : " and not healthy") + ", not a healthy secondary");
    }

    private static boolean isReadySecondary(MemberRecord m, PrimaryRecord primary) {
        return m.role() == Role.SECONDARY && m.healthy() && !m.nodeId().equals(primary.nodeId());
    }

    /** A completed hand-over's outcome, the same whichever node records it. */
    private static String done(String primary, long epoch) {
        return "done: " + primary + " is primary of epoch " + epoch;
    }

    /** Refusals are written by the live primary or, with none, by the member with the smallest id. */
    private static Optional<Decision> refuse(Situation s, QueuedCommand queued, String problem) {
        return answer(s, queued, "refused: " + problem, "refusing " + queued.command().type() + ": " + problem);
    }

    /** The administering node completes the command with {@code outcome}; the others leave it to it. */
    private static Optional<Decision> answer(Situation s, QueuedCommand queued, String outcome, String why) {
        return administers(s) ? Optional.of(new Decision(s.role(), List.of(new Action.CompleteCommand(queued, outcome)), why))
                : Optional.empty();
    }

    private static boolean administers(Situation s) {
        return s.view().livePrimary().map(p -> p.nodeId().equals(s.nodeId()))
                .orElseGet(() -> s.view().members().stream().findFirst().map(m -> m.nodeId().equals(s.nodeId()))
                        .orElse(false));
    }

    private static String describe(CommandRecord c) {
        return (c.targetNodeId() == null ? "" : " to " + c.targetNodeId()) + " (command " + c.id()
                + (c.reason() == null || c.reason().isBlank() ? "" : ": " + c.reason()) + ")";
    }
}
