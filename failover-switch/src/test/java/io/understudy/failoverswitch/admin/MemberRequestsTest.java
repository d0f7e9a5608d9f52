package io.understudy.failoverswitch.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.cluster.ClusterView;
import io.understudy.cluster.CommandRecord;
import io.understudy.cluster.HistoryRecord;
import io.understudy.cluster.MemberRecord;
import io.understudy.cluster.PrimaryRecord;
import io.understudy.cluster.QueuedCommand;
import io.understudy.cluster.Role;
import io.understudy.cluster.RosterEntry;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MemberRequestsTest {

    private static final PrimaryRecord A2 = new PrimaryRecord("a", "http://a", "a:5432/postgres", 2, 0, null, 0);
    private static final CommandRecord REMOVE_C = new CommandRecord("id-1", CommandRecord.Type.REMOVE_MEMBER, "c", 2, "ops", 0,
            "retired");

    private static MemberRecord member(String id, Role role) {
        return new MemberRecord(id, "http://" + id, id + ":5432/postgres", role, 2, 0, -1, true, "t", 0);
    }

    private static ClusterView threeNodes(RosterEntry.State c) {
        return new ClusterView(Optional.of(A2), List.of(member("a", Role.PRIMARY), member("b", Role.SECONDARY))).withRoster(
                List.of(new RosterEntry("a", RosterEntry.State.MEMBER, 0, ""), new RosterEntry("b", RosterEntry.State.MEMBER, 0, ""),
                        new RosterEntry("c", c, 0, "")));
    }

    @Test
    void shouldWriteACommandFencedByTheCurrentEpochForAStoppedNode() {
        MemberRequests.Check check = MemberRequests.remove("c", "retired", threeNodes(RosterEntry.State.MEMBER), "id-1", "ops", 0);
        assertThat(check).isEqualTo(new MemberRequests.Write(REMOVE_C));
    }

    @Test
    void shouldAnswerBeforeWritingWhatCannotSucceed() {
        ClusterView view = threeNodes(RosterEntry.State.MEMBER);
        assertThat(MemberRequests.remove("a", null, view, "i", "ops", 0))
                .isEqualTo(new MemberRequests.Rejected(409, "is_primary", "a is the primary; switch over to another node first"));
        assertThat(MemberRequests.remove("x", null, view, "i", "ops", 0)).extracting(c -> ((MemberRequests.Rejected) c).status())
                .isEqualTo(404);
        assertThat(MemberRequests.remove("../c", null, view, "i", "ops", 0)).extracting(c -> ((MemberRequests.Rejected) c).error())
                .isEqualTo("bad_request");
        ClusterView noLivePrimary = new ClusterView(Optional.of(A2), List.of(member("b", Role.SECONDARY)));
        assertThat(MemberRequests.remove("b", null, noLivePrimary, "i", "ops", 0)).extracting(c -> ((MemberRequests.Rejected) c).error())
                .isEqualTo("no_primary");
        assertThat(MemberRequests.remove("c", null, threeNodes(RosterEntry.State.REMOVED), "i", "ops", 0))
                .isInstanceOf(MemberRequests.AlreadyRemoved.class);
    }

    @Test
    void shouldReadTheOutcomeFromTheRosterAndTheCommandsHistoryRecord() {
        HistoryRecord done = new HistoryRecord(HistoryRecord.Type.COMMAND, "a", null, 2, 0,
                "command id-1 (REMOVE_MEMBER) from switch@0.0.0.0:9080 for 127.0.0.1: done: c removed, slot and publication understudy_c dropped");
        ClusterView queued = threeNodes(RosterEntry.State.MEMBER).withPrimary(A2);
        queued = new ClusterView(queued.primary(), queued.members(), queued.settings(),
                List.of(new QueuedCommand("command-0000000001", REMOVE_C)), queued.roster(), queued.sync());

        assertThat(MemberRequests.outcome(REMOVE_C, queued, List.of())).isInstanceOf(MemberRequests.Pending.class);
        assertThat(MemberRequests.outcome(REMOVE_C, threeNodes(RosterEntry.State.REMOVED), List.of()))
                .as("removed, but the report is not in history yet").isInstanceOf(MemberRequests.Pending.class);
        assertThat(MemberRequests.outcome(REMOVE_C, threeNodes(RosterEntry.State.REMOVED), List.of(done)))
                .isEqualTo(new MemberRequests.Done(done.reason()));
        assertThat(MemberRequests.outcome(REMOVE_C, threeNodes(RosterEntry.State.MEMBER), List.of(done)))
                .as("the history's watch ahead of the roster's").isEqualTo(new MemberRequests.Done(done.reason()));
        HistoryRecord refused = new HistoryRecord(HistoryRecord.Type.COMMAND, "a", null, 2, 0,
                "command id-1 (REMOVE_MEMBER) from ops: refused: c is the only synchronous standby");
        assertThat(MemberRequests.outcome(REMOVE_C, threeNodes(RosterEntry.State.MEMBER), List.of(refused)))
                .isEqualTo(new MemberRequests.Refused(refused.reason()));
    }
}
