package io.understudy.node.role;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.cluster.ClusterSettings;
import io.understudy.cluster.ClusterView;
import io.understudy.cluster.CommandRecord;
import io.understudy.cluster.HistoryRecord;
import io.understudy.cluster.MemberRecord;
import io.understudy.cluster.PrimaryRecord;
import io.understudy.cluster.QueuedCommand;
import io.understudy.cluster.Role;
import io.understudy.cluster.RosterEntry;
import io.understudy.cluster.SyncStandbys;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CommandRulesTest {

    private static final PrimaryRecord A1 = new PrimaryRecord("a", "http://a", "a:5432/postgres", 1, 0, null, 0);
    private static final StreamState FOLLOWING_A1 = new StreamState("a@1", true, false, 42);
    private static final MemberRecord A_PRIMARY = member("a", Role.PRIMARY, true);
    private static final MemberRecord A_DEMOTED = member("a", Role.DEMOTED, false);
    private static final MemberRecord B_READY = member("b", Role.SECONDARY, true);

    private static MemberRecord member(String id, Role role, boolean healthy) {
        return new MemberRecord(id, "http://" + id, id + ":5432/postgres", role, 1, 0, -1, healthy, "t", 0);
    }

    private static QueuedCommand command(CommandRecord.Type type, String target, long expectedEpoch) {
        return new QueuedCommand("command-0000000001",
                new CommandRecord("c1", type, target, expectedEpoch, "ops@switch", 0, "drill"));
    }

    private static ClusterView view(QueuedCommand command, ClusterSettings settings, MemberRecord... members) {
        return new ClusterView(Optional.of(A1), List.of(members), settings, command == null ? List.of() : List.of(command));
    }

    private static Situation a(Role role, boolean gateOpen, ClusterView view) {
        return new Situation("a", role, 1, ZkLink.CONNECTED, gateOpen, true, view, StreamState.NONE);
    }

    private static Situation b(boolean leader, ClusterView view) {
        return new Situation("b", Role.SECONDARY, 0, ZkLink.CONNECTED, false, leader, view, FOLLOWING_A1);
    }

    @Test
    void shouldHaveThePrimaryStepDownFirstOnSwitchover() {
        QueuedCommand switchover = command(CommandRecord.Type.SWITCHOVER, "b", 1);
        Decision d = RoleMachine.decide(a(Role.PRIMARY, true, view(switchover, null, A_PRIMARY, B_READY))).orElseThrow();
        assertThat(d.next()).isEqualTo(Role.DEMOTED);
        assertThat(d.actions()).as("the target catches up while the gate is open, then the gate shuts")
                .hasSize(2).first().isEqualTo(new Action.CatchUp("b"));
        assertThat(d.actions().get(1)).isInstanceOf(Action.Demote.class);
        assertThat(d.reason()).contains("SWITCHOVER to b").contains("ops@switch");

        assertThat(RoleMachine.decide(b(false, view(switchover, null, A_PRIMARY, B_READY)))).as("target waits").isEmpty();
    }

    @Test
    void shouldNameOnlyTheTargetOfAPendingHandOverAsTheNodeItHandsOverTo() {
        ClusterView switchoverToB = view(command(CommandRecord.Type.SWITCHOVER, "b", 1), null, A_PRIMARY, B_READY);
        assertThat(RoleMachine.handsOverTo(switchoverToB, "b")).isTrue();
        assertThat(RoleMachine.handsOverTo(switchoverToB, "a")).as("the primary it hands over from").isFalse();
        assertThat(RoleMachine.handsOverTo(view(command(CommandRecord.Type.FAILOVER, "b", 1), null, A_PRIMARY, B_READY), "b"))
                .as("a targeted failover drill").isTrue();
        assertThat(RoleMachine.handsOverTo(view(command(CommandRecord.Type.FAILOVER, null, 1), null, A_PRIMARY, B_READY), "b"))
                .as("a drill the election resolves names no one").isFalse();
        assertThat(RoleMachine.handsOverTo(view(command(CommandRecord.Type.PAUSE, null, 0), null, A_PRIMARY, B_READY), "b"))
                .isFalse();
        assertThat(RoleMachine.handsOverTo(view(null, null, A_PRIMARY, B_READY), "b")).as("no command").isFalse();
    }

    @Test
    void shouldHaveTheTargetPromoteOnceThePrimaryIsDemoted() {
        QueuedCommand switchover = command(CommandRecord.Type.SWITCHOVER, "b", 1);
        Decision d = RoleMachine.decide(b(false, view(switchover, null, A_DEMOTED, B_READY))).orElseThrow();
        assertThat(d.next()).isEqualTo(Role.PRIMARY);
        assertThat(d.actions()).containsExactly(
                new Action.Promote(2, A1, HistoryRecord.Type.SWITCHOVER, d.reason()),
                new Action.CompleteCommand(switchover, "done: b is primary of epoch 2"));
    }

    @Test
    void shouldKeepTheOtherSecondariesOutOfTheElectionWhileTheTargetTakesOver() {
        QueuedCommand switchover = command(CommandRecord.Type.SWITCHOVER, "b", 1);
        MemberRecord cReady = member("c", Role.SECONDARY, true);
        Situation leaderC = new Situation("c", Role.SECONDARY, 0, ZkLink.CONNECTED, false, true,
                view(switchover, null, A_DEMOTED, B_READY, cReady), FOLLOWING_A1);
        assertThat(RoleMachine.eligibility(leaderC).eligible()).isFalse();
        assertThat(RoleMachine.eligibility(leaderC).reason()).contains("handed over to b");
        assertThat(RoleMachine.decide(leaderC)).as("the election leader does not race the target").isEmpty();

        Situation targetGone = new Situation("c", Role.SECONDARY, 0, ZkLink.CONNECTED, false, true,
                view(switchover, null, A_DEMOTED, cReady), FOLLOWING_A1);
        assertThat(RoleMachine.eligibility(targetGone).eligible()).as("the target died: the election goes on").isTrue();
        assertThat(RoleMachine.decide(targetGone).orElseThrow().next()).isEqualTo(Role.PRIMARY);
    }

    @Test
    void shouldRefuseASwitchoverToANodeThatIsNotAHealthySecondary() {
        QueuedCommand toC = command(CommandRecord.Type.SWITCHOVER, "c", 0);
        Decision d = RoleMachine.decide(a(Role.PRIMARY, true, view(toC, null, A_PRIMARY, B_READY))).orElseThrow();
        assertThat(d.next()).isEqualTo(Role.PRIMARY);
        assertThat(d.actions()).containsExactly(new Action.CompleteCommand(toC, "refused: target c is not a member of the cluster"));

        QueuedCommand toSick = command(CommandRecord.Type.SWITCHOVER, "b", 0);
        Decision sick = RoleMachine.decide(a(Role.PRIMARY, true, view(toSick, null, A_PRIMARY, member("b", Role.SECONDARY, false))))
                .orElseThrow();
        assertThat(sick.actions()).singleElement().isInstanceOfSatisfying(Action.CompleteCommand.class,
                c -> assertThat(c.outcome()).contains("not healthy"));
    }

    @Test
    void shouldRefuseAStaleCommandWhoseEpochHasPassed() {
        QueuedCommand stale = command(CommandRecord.Type.SWITCHOVER, "b", 7);
        Decision d = RoleMachine.decide(a(Role.PRIMARY, true, view(stale, null, A_PRIMARY, B_READY))).orElseThrow();
        assertThat(d.actions()).containsExactly(new Action.CompleteCommand(stale, "refused: the cluster is in epoch 1, not the expected 7"));
        assertThat(RoleMachine.decide(b(false, view(stale, null, A_PRIMARY, B_READY)))).as("only the primary answers").isEmpty();
    }

    @Test
    void shouldRecordASwitchoverWhoseTargetAlreadyHoldsTheNewEpochAsDoneNotRefused() {
        // The target wrote /primary for epoch 2; its member record still says SECONDARY, so nobody is the live
        // primary and the old primary a, the smallest member id, administers the command.
        PrimaryRecord b2 = new PrimaryRecord("b", "http://b", "b:5432/postgres", 2, 0, null, 0);
        QueuedCommand switchover = command(CommandRecord.Type.SWITCHOVER, "b", 1);
        ClusterView promoted = new ClusterView(Optional.of(b2), List.of(A_DEMOTED, B_READY), null, List.of(switchover));
        Decision d = RoleMachine.decide(a(Role.DEMOTED, false, promoted)).orElseThrow();
        assertThat(d.actions()).containsExactly(new Action.CompleteCommand(switchover, "done: b is primary of epoch 2"));

        QueuedCommand toC = command(CommandRecord.Type.SWITCHOVER, "c", 1);
        ClusterView elsewhere = new ClusterView(Optional.of(b2), List.of(A_DEMOTED, B_READY), null, List.of(toC));
        assertThat(RoleMachine.decide(a(Role.DEMOTED, false, elsewhere)).orElseThrow().actions()).as("another target")
                .containsExactly(new Action.CompleteCommand(toC, "refused: the cluster is in epoch 2, not the expected 1"));
    }

    @Test
    void shouldLetTheElectionPickThePromoterOfAnUntargetedDrillEvenWhenPaused() {
        QueuedCommand drill = command(CommandRecord.Type.FAILOVER, null, 0);
        ClusterSettings paused = ClusterSettings.DEFAULTS.withPause(true, "maintenance");
        assertThat(RoleMachine.decide(a(Role.PRIMARY, true, view(drill, paused, A_PRIMARY, B_READY))).orElseThrow().next())
                .isEqualTo(Role.DEMOTED);

        Situation demotedA = a(Role.DEMOTED, false, view(drill, paused, A_DEMOTED, B_READY));
        assertThat(RoleMachine.eligibility(demotedA).eligible()).as("the old primary stands aside").isFalse();
        assertThat(RoleMachine.decide(demotedA)).as("and does not reclaim while still holding the latch").isEmpty();

        Situation leaderB = b(true, view(drill, paused, A_DEMOTED, B_READY));
        assertThat(RoleMachine.eligibility(leaderB).eligible()).isTrue();
        Decision d = RoleMachine.decide(leaderB).orElseThrow();
        assertThat(d.next()).isEqualTo(Role.PRIMARY);
        assertThat(d.actions()).last().isEqualTo(new Action.CompleteCommand(drill, "drill: b took over as primary of epoch 2"));
    }

    @Test
    void shouldAbandonAHandOverWhoseTargetWentAwaySoTheOldPrimaryCanReclaim() {
        QueuedCommand switchover = command(CommandRecord.Type.SWITCHOVER, "b", 1);
        Decision d = RoleMachine.decide(a(Role.DEMOTED, false, view(switchover, null, A_DEMOTED))).orElseThrow();
        assertThat(d.actions()).containsExactly(new Action.CompleteCommand(switchover, "abandoned: target b is not a member of the cluster"));
    }

    @Test
    void shouldNotPromoteAutomaticallyWhilePaused() {
        ClusterSettings paused = ClusterSettings.DEFAULTS.withPause(true, "maintenance by ops");
        Situation s = b(true, view(null, paused, B_READY));
        assertThat(RoleMachine.decide(s)).isEmpty();
        assertThat(RoleMachine.eligibility(s).reason()).isEqualTo("automatic failover is paused (maintenance by ops)");
    }

    @Test
    void shouldHaveThePrimaryRecordPauseAndResume() {
        QueuedCommand pause = command(CommandRecord.Type.PAUSE, null, 0);
        Decision d = RoleMachine.decide(a(Role.PRIMARY, true, view(pause, null, A_PRIMARY, B_READY))).orElseThrow();
        assertThat(d.next()).isEqualTo(Role.PRIMARY);
        assertThat(d.actions()).first().isInstanceOfSatisfying(Action.SetFailoverPaused.class, p -> assertThat(p.paused()).isTrue());
        assertThat(RoleMachine.decide(b(false, view(pause, null, A_PRIMARY, B_READY)))).as("the secondary leaves it").isEmpty();
    }

    @Test
    void shouldRefuseASwitchoverToANofailoverNodeWithAHistoryRecord() {
        MemberRecord nofailover = new MemberRecord("b", "http://b", "b:5432/postgres", Role.SECONDARY, 1, 0, -1, true, "t", 0,
                io.understudy.cluster.ReplicationInfo.NONE,
                new MemberRecord.Candidacy(false, "tags.nofailover is set", 100, true, 0));
        QueuedCommand switchover = command(CommandRecord.Type.SWITCHOVER, "b", 1);
        Decision d = RoleMachine.decide(a(Role.PRIMARY, true, view(switchover, null, A_PRIMARY, nofailover))).orElseThrow();
        assertThat(d.next()).isEqualTo(Role.PRIMARY);
        assertThat(d.actions()).singleElement().isInstanceOfSatisfying(Action.CompleteCommand.class, c ->
                assertThat(c.outcome()).isEqualTo("refused: target b has tags.nofailover set: it never becomes primary"));

        QueuedCommand drill = command(CommandRecord.Type.FAILOVER, null, 1);
        assertThat(RoleMachine.decide(a(Role.PRIMARY, true, view(drill, null, A_PRIMARY, nofailover))).orElseThrow().reason())
                .contains("no healthy secondary without tags.nofailover");
    }

    @Test
    void shouldLetAPriorityZeroNodeBeASwitchoverTargetButNotANofailoverOrDatabaseLessOne() {
        QueuedCommand switchover = command(CommandRecord.Type.SWITCHOVER, "b", 1);
        ClusterView demoted = view(switchover, null, A_DEMOTED, B_READY);
        Situation zero = b(false, demoted).withFitness(new Fitness(new Fitness.Tags(false, 0), Fitness.DbHealth.HEALTHY, -1, 0));
        assertThat(RoleMachine.decide(zero).orElseThrow().next()).isEqualTo(Role.PRIMARY);

        Situation nofailover = b(false, demoted).withFitness(new Fitness(new Fitness.Tags(true, 100), Fitness.DbHealth.HEALTHY, -1, 0));
        assertThat(RoleMachine.decide(nofailover)).isEmpty();
        Situation noDb = b(false, demoted).withFitness(new Fitness(Fitness.Tags.DEFAULT,
                new Fitness.DbHealth(false, 10, 3000, "refused"), -1, 0));
        assertThat(RoleMachine.decide(noDb)).isEmpty();
    }

    // ---- removing a member (three nodes: primary a, secondaries b and c) ----

    private static final MemberRecord C_READY = member("c", Role.SECONDARY, true);

    private static ClusterView removing(String target, List<RosterEntry> roster, SyncStandbys sync, MemberRecord... members) {
        return view(command(CommandRecord.Type.REMOVE_MEMBER, target, 1), null, members).withRoster(roster).withSync(sync);
    }

    private static List<RosterEntry> roster(String... ids) {
        return java.util.Arrays.stream(ids).map(id -> new RosterEntry(id, RosterEntry.State.MEMBER, 0, "joined")).toList();
    }

    @Test
    void shouldHaveThePrimaryDecommissionAStoppedSecondary() {
        ClusterView view = removing("c", roster("a", "b", "c"), null, A_PRIMARY, B_READY);
        Decision d = RoleMachine.decide(a(Role.PRIMARY, true, view)).orElseThrow();
        assertThat(d.next()).isEqualTo(Role.PRIMARY);
        assertThat(d.actions()).singleElement().isEqualTo(new Action.RemoveMember(view.commands().get(0), "c"));
        assertThat(RoleMachine.decide(b(false, view))).as("only the primary acts").isEmpty();
    }

    @Test
    void shouldRefuseToRemoveThePrimaryOrToGoBelowTwoNodesOrTheLastSyncStandby() {
        assertThat(refusal(removing("a", roster("a", "b", "c"), null, A_PRIMARY, B_READY, C_READY)))
                .isEqualTo("refused: a is the primary; switch over to another node first");
        assertThat(refusal(removing("b", roster("a", "b"), null, A_PRIMARY, B_READY)))
                .isEqualTo("refused: removing b would leave 1 node; the cluster keeps at least 2");
        assertThat(refusal(removing("x", roster("a", "b", "c"), null, A_PRIMARY, B_READY)))
                .isEqualTo("refused: x is not a node of the cluster (nodes: [a, b, c])");
        assertThat(refusal(removing("b", roster("a", "b", "c"), new SyncStandbys("a", 1, List.of("b"), 0), A_PRIMARY, B_READY,
                C_READY))).startsWith("refused: b is the only synchronous standby");
        // with c a standby too, b may go
        ClusterView both = removing("b", roster("a", "b", "c"), new SyncStandbys("a", 1, List.of("b", "c"), 0), A_PRIMARY,
                B_READY, C_READY);
        assertThat(RoleMachine.decide(a(Role.PRIMARY, true, both)).orElseThrow().actions().get(0))
                .isInstanceOf(Action.RemoveMember.class);
    }

    @Test
    void shouldCountANodeRegisteredButNotYetInTheRosterAndNotCountARemovedOne() {
        List<RosterEntry> cRemovedBefore = List.of(new RosterEntry("a", RosterEntry.State.MEMBER, 0, ""),
                new RosterEntry("c", RosterEntry.State.REMOVED, 0, "earlier"));
        assertThat(refusal(removing("b", cRemovedBefore, null, A_PRIMARY, B_READY)))
                .isEqualTo("refused: removing b would leave 1 node; the cluster keeps at least 2");
        assertThat(refusal(removing("c", cRemovedBefore, null, A_PRIMARY, B_READY)))
                .isEqualTo("nothing to do: c was removed before");
    }

    @Test
    void shouldHaveTheSmallestMemberRefuseARemovalWhileThereIsNoLivePrimary() {
        ClusterView view = removing("c", roster("a", "b", "c"), null, A_DEMOTED, B_READY);
        Decision d = RoleMachine.decide(new Situation("a", Role.DEMOTED, 1, ZkLink.CONNECTED, false, false, view,
                StreamState.NONE)).orElseThrow();
        assertThat(((Action.CompleteCommand) d.actions().get(0)).outcome())
                .isEqualTo("refused: the cluster has no live primary to drop the node's slot and publication");
    }

    private static String refusal(ClusterView view) {
        Decision d = RoleMachine.decide(a(Role.PRIMARY, true, view)).orElseThrow();
        return ((Action.CompleteCommand) d.actions().get(0)).outcome();
    }
}
