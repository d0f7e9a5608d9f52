package io.understudy.node.role;

import io.understudy.cluster.CommandRecord;
import io.understudy.cluster.MemberRemoval;
import io.understudy.cluster.QueuedCommand;
import java.util.List;
import java.util.Optional;

/**
 * What the live primary does about a {@code REMOVE_MEMBER} command (docs/membership.md), as a pure function of a
 * {@link Situation}: refuse it for the reasons of {@link MemberRemoval}, or decommission the node: out of
 * {@code /sync}, marked removed in {@code /roster}, its slot and publication dropped, history {@code MEMBER_REMOVED}.
 */
final class MembershipRules {

    private MembershipRules() {
    }

    /** For the live primary only (CommandRules calls it so). */
    static Optional<Decision> remove(Situation s, QueuedCommand queued) {
        CommandRecord c = queued.command();
        String target = c.targetNodeId();
        Optional<MemberRemoval.Refusal> problem = MemberRemoval.problem(s.view(), s.nodeId(), target);
        if (problem.isPresent()) {
            String why = problem.get().message();
            return Optional.of(new Decision(s.role(), List.of(new Action.CompleteCommand(queued, "refused: " + why)),
                    "refusing to remove " + target + ": " + why));
        }
        if (s.view().removed(target)) {
            return Optional.of(new Decision(s.role(), List.of(new Action.CompleteCommand(queued,
                    "nothing to do: " + target + " was removed before")), "command to remove an already removed node"));
        }
        String why = "removing " + target + " from the cluster (command " + c.id()
                + (c.reason() == null || c.reason().isBlank() ? "" : ": " + c.reason()) + ") requested by " + c.requestedBy();
        return Optional.of(new Decision(s.role(), List.of(new Action.RemoveMember(queued, target)), why));
    }
}
