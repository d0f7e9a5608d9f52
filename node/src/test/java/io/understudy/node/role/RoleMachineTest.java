package io.understudy.node.role;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.cluster.ClusterView;
import io.understudy.cluster.MemberRecord;
import io.understudy.cluster.PrimaryRecord;
import io.understudy.cluster.Role;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RoleMachineTest {

    private static final PrimaryRecord A1 = primary("a", 1);
    private static final StreamState FOLLOWING_A1 = new StreamState("a@1", true, false, 42);

    private static PrimaryRecord primary(String id, long epoch) {
        return new PrimaryRecord(id, "http://" + id, id + ":5432/postgres", epoch, 0, null, 0);
    }

    private static MemberRecord member(String id, Role role, long epoch) {
        return new MemberRecord(id, "http://" + id, id + ":5432/postgres", role, epoch, 0, -1, true, "t", 0);
    }

    private static ClusterView view(PrimaryRecord primary, MemberRecord... members) {
        return new ClusterView(Optional.ofNullable(primary), List.of(members));
    }

    private static Situation b(Role role, boolean leader, ClusterView view, StreamState stream) {
        return new Situation("b", role, 0, ZkLink.CONNECTED, false, leader, view, stream);
    }

    @Test
    void shouldBootstrapEmptyClusterOnlyWhenLeader() {
        Decision d = RoleMachine.decide(b(Role.STARTING, true, view(null), StreamState.NONE)).orElseThrow();
        assertThat(d.next()).isEqualTo(Role.PRIMARY);
        assertThat(d.actions()).containsExactly(new Action.Promote(1, null, io.understudy.cluster.HistoryRecord.Type.BOOTSTRAP, "bootstrap of an empty cluster"));

        assertThat(RoleMachine.decide(b(Role.STARTING, false, view(null), StreamState.NONE))).isEmpty();
        assertThat(RoleMachine.eligibility(b(Role.STARTING, false, view(null), StreamState.NONE)).eligible()).isTrue();
    }

    @Test
    void shouldJoinAsSecondaryWhenAnotherNodeIsPrimary() {
        Decision d = RoleMachine.decide(b(Role.STARTING, false, view(A1, member("a", Role.PRIMARY, 1)), StreamState.NONE))
                .orElseThrow();
        assertThat(d.next()).isEqualTo(Role.SECONDARY);
        assertThat(d.actions()).containsExactly(new Action.FollowPrimary(A1));
        assertThat(d.reason()).contains("a@1");
    }

    @Test
    void shouldPromoteCaughtUpSecondaryWhenPrimaryIsGoneAndItWon() {
        Decision d = RoleMachine.decide(b(Role.SECONDARY, true, view(A1, member("b", Role.SECONDARY, 1)), FOLLOWING_A1))
                .orElseThrow();
        assertThat(d.next()).isEqualTo(Role.PRIMARY);
        assertThat(d.actions()).singleElement().isInstanceOfSatisfying(Action.Promote.class, p -> {
            assertThat(p.newEpoch()).isEqualTo(2);
            assertThat(p.previous()).isEqualTo(A1);
        });
        assertThat(d.reason()).contains("a@1 is gone from ZooKeeper");
    }

    @Test
    void shouldNotPromoteWhilePrimaryIsLiveEvenIfLeader() {
        ClusterView live = view(A1, member("a", Role.PRIMARY, 1), member("b", Role.SECONDARY, 1));
        assertThat(RoleMachine.decide(b(Role.SECONDARY, true, live, FOLLOWING_A1))).isEmpty();
    }

    @Test
    void shouldPromoteWhenPrimaryReportsDemoted() {
        ClusterView demoted = view(A1, member("a", Role.DEMOTED, 1));
        assertThat(RoleMachine.decide(b(Role.SECONDARY, true, demoted, FOLLOWING_A1)).orElseThrow().reason())
                .contains("reports role DEMOTED");
    }

    @Test
    void shouldNotPromoteOrStandWithoutCompleteCopy() {
        StreamState copying = new StreamState("a@1", false, false, 0);
        Situation s = b(Role.SECONDARY, true, view(A1), copying);
        assertThat(RoleMachine.decide(s)).isEmpty();
        assertThat(RoleMachine.eligibility(s)).isEqualTo(new Eligibility(false, "first copy from a@1 still in progress"));
        assertThat(RoleMachine.eligibility(b(Role.SECONDARY, false, view(A1), new StreamState("a@1", true, true, 0))).reason())
                .isEqualTo("replication failed");
    }

    @Test
    void shouldResyncWhenPrimaryChangedUnderASecondary() {
        PrimaryRecord c2 = primary("c", 2);
        Decision d = RoleMachine.decide(b(Role.SECONDARY, false, view(c2, member("c", Role.PRIMARY, 2)), FOLLOWING_A1))
                .orElseThrow();
        assertThat(d.next()).isEqualTo(Role.RESYNCING);
        assertThat(d.actions()).containsExactly(new Action.FollowPrimary(c2));
        assertThat(RoleMachine.eligibility(b(Role.SECONDARY, false, view(c2), FOLLOWING_A1)).eligible()).isFalse();
    }

    @Test
    void shouldFinishResyncWhenSnapshotIsComplete() {
        Decision d = RoleMachine.decide(b(Role.RESYNCING, false, view(A1, member("a", Role.PRIMARY, 1)), FOLLOWING_A1))
                .orElseThrow();
        assertThat(d.next()).isEqualTo(Role.SECONDARY);
        assertThat(d.actions()).isEmpty();
    }

    @Test
    void shouldDemotePrimaryOnLostConnectionNewerEpochOrMissingRecord() {
        Situation lost = new Situation("a", Role.PRIMARY, 1, ZkLink.LOST, false, false, view(A1), StreamState.NONE);
        assertThat(RoleMachine.decide(lost).orElseThrow().next()).isEqualTo(Role.DEMOTED);

        Situation newer = new Situation("a", Role.PRIMARY, 1, ZkLink.CONNECTED, true, false, view(primary("b", 2)), StreamState.NONE);
        Decision d = RoleMachine.decide(newer).orElseThrow();
        assertThat(d.next()).isEqualTo(Role.DEMOTED);
        assertThat(d.reason()).isEqualTo("newer primary b@2 replaces epoch 1");

        Situation vanished = new Situation("a", Role.PRIMARY, 1, ZkLink.CONNECTED, true, true, view(null), StreamState.NONE);
        assertThat(RoleMachine.decide(vanished).orElseThrow().next()).isEqualTo(Role.DEMOTED);
    }

    @Test
    void shouldIgnoreAViewThatHasNotCaughtUpWithOurOwnPromotion() {
        Situation s = new Situation("b", Role.PRIMARY, 2, ZkLink.CONNECTED, true, true, view(A1), StreamState.NONE);
        assertThat(RoleMachine.decide(s)).isEmpty();
        assertThat(RoleMachine.eligibility(s)).isEqualTo(new Eligibility(true, "primary of epoch 2"));
    }

    @Test
    void shouldKeepPrimaryThatOwnsCurrentEpoch() {
        Situation s = new Situation("a", Role.PRIMARY, 1, ZkLink.CONNECTED, true, true, view(A1, member("a", Role.PRIMARY, 1)), StreamState.NONE);
        assertThat(RoleMachine.decide(s)).isEmpty();
    }

    @Test
    void shouldKeepPrimaryRoleWithGateShutWhileOnlySuspended() {
        Situation s = new Situation("a", Role.PRIMARY, 1, ZkLink.SUSPENDED, false, true, view(A1), StreamState.NONE);
        assertThat(RoleMachine.decide(s)).isEmpty();
    }

    @Test
    void shouldReopenGateWhenTheSameSessionReconnects() {
        Situation s = new Situation("a", Role.PRIMARY, 1, ZkLink.CONNECTED, false, true,
                view(A1, member("a", Role.PRIMARY, 1)), StreamState.NONE);
        Decision d = RoleMachine.decide(s).orElseThrow();
        assertThat(d.next()).isEqualTo(Role.PRIMARY);
        assertThat(d.actions()).containsExactly(new Action.ReopenGate(1));
    }

    @Test
    void shouldDoNothingButWaitWhileDisconnectedAsReplica() {
        Situation s = new Situation("b", Role.SECONDARY, 0, ZkLink.LOST, false, true, view(A1), FOLLOWING_A1);
        assertThat(RoleMachine.decide(s)).isEmpty();
        assertThat(RoleMachine.eligibility(s).eligible()).isFalse();
    }

    @Test
    void shouldReclaimWhenNobodyElseTookOverAndItWonTheElection() {
        Situation demoted = new Situation("a", Role.DEMOTED, 1, ZkLink.CONNECTED, false, true, view(A1, member("a", Role.DEMOTED, 1)), StreamState.NONE);
        assertThat(RoleMachine.decide(demoted).orElseThrow().actions())
                .singleElement().isInstanceOfSatisfying(Action.Promote.class, p -> assertThat(p.newEpoch()).isEqualTo(2));

        Situation restarted = new Situation("a", Role.STARTING, 0, ZkLink.CONNECTED, false, false, view(A1), StreamState.NONE);
        assertThat(RoleMachine.decide(restarted)).isEmpty();
        assertThat(RoleMachine.eligibility(restarted).eligible()).isTrue();
    }
}
