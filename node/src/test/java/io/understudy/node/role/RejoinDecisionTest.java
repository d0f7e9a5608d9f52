package io.understudy.node.role;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.cluster.ClusterView;
import io.understudy.cluster.MemberRecord;
import io.understudy.cluster.PrimaryRecord;
import io.understudy.cluster.Role;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The old primary's way back: divergence check first, then stream on or resync, as the verdict says. */
class RejoinDecisionTest {

    private static final PrimaryRecord B2 = new PrimaryRecord("b", "http://b", "b:5432/postgres", 2, 0, "a", 4242);
    private static final ClusterView VIEW = new ClusterView(Optional.of(B2),
            List.of(new MemberRecord("b", "http://b", "b:5432/postgres", Role.PRIMARY, 2, 0, -1, true, "t", 0)));

    private static Situation a(Role role, long epoch, RejoinState rejoin) {
        return new Situation("a", role, epoch, ZkLink.CONNECTED, false, false, VIEW, StreamState.NONE, rejoin);
    }

    private static RejoinState.Verdict verdict(String source, boolean diverged) {
        return new RejoinState.Verdict(source, diverged, !diverged,
                diverged ? "diverged: 2 transactions quarantined as q1" : "not diverged: streaming from b@2");
    }

    @Test
    void shouldCheckForDivergenceBeforeFollowingWhenDemoted() {
        Decision d = RoleMachine.decide(a(Role.DEMOTED, 1, RejoinState.NONE)).orElseThrow();
        assertThat(d.next()).isEqualTo(Role.DEMOTED);
        assertThat(d.actions()).containsExactly(new Action.Rejoin(B2, 1));
        assertThat(d.reason()).contains("old primary of epoch 1").contains("b@2");
    }

    @Test
    void shouldCheckForDivergenceWhenRestartedAfterBeingPrimary() {
        Decision d = RoleMachine.decide(a(Role.STARTING, 0, new RejoinState(1, null))).orElseThrow();
        assertThat(d.next()).isEqualTo(Role.STARTING);
        assertThat(d.actions()).containsExactly(new Action.Rejoin(B2, 1));
    }

    @Test
    void shouldJoinPlainlyWhenItWasNeverPrimary() {
        Decision d = RoleMachine.decide(a(Role.STARTING, 0, RejoinState.NONE)).orElseThrow();
        assertThat(d.next()).isEqualTo(Role.SECONDARY);
        assertThat(d.actions()).containsExactly(new Action.FollowPrimary(B2));
    }

    @Test
    void shouldStreamOnWhenNotDiverged() {
        for (Role role : new Role[] {Role.DEMOTED, Role.STARTING}) {
            Decision d = RoleMachine.decide(a(role, 1, new RejoinState(0, verdict("b@2", false)))).orElseThrow();
            assertThat(d.next()).isEqualTo(Role.SECONDARY);
            assertThat(d.actions()).containsExactly(new Action.FollowPrimary(B2));
            assertThat(d.reason()).isEqualTo("not diverged: streaming from b@2");
        }
    }

    @Test
    void shouldTakeAFreshCopyWhenNotDivergedButTheNewPrimaryKeptNoSlotForIt() {
        RejoinState.Verdict unseeded = new RejoinState.Verdict("b@2", false, false, "not diverged: no slot");
        Decision d = RoleMachine.decide(a(Role.DEMOTED, 1, new RejoinState(0, unseeded))).orElseThrow();
        assertThat(d.next()).isEqualTo(Role.RESYNCING);
        assertThat(d.actions()).containsExactly(new Action.FollowPrimary(B2));
    }

    @Test
    void shouldResyncWhenDiverged() {
        for (Role role : new Role[] {Role.DEMOTED, Role.STARTING}) {
            Decision d = RoleMachine.decide(a(role, 1, new RejoinState(0, verdict("b@2", true)))).orElseThrow();
            assertThat(d.next()).isEqualTo(Role.RESYNCING);
            assertThat(d.actions()).containsExactly(new Action.FollowPrimary(B2));
            assertThat(d.reason()).contains("quarantined as q1").contains("fresh copy from b@2");
        }
    }

    @Test
    void shouldCheckAgainWhenTheVerdictWasForAnotherPrimary() {
        Decision d = RoleMachine.decide(a(Role.DEMOTED, 1, new RejoinState(0, verdict("c@2", false)))).orElseThrow();
        assertThat(d.actions()).containsExactly(new Action.Rejoin(B2, 1));
    }

    @Test
    void shouldStillReclaimWhenNobodyTookOver() {
        PrimaryRecord a1 = new PrimaryRecord("a", "http://a", "a:5432/postgres", 1, 0, null, 0);
        Situation s = new Situation("a", Role.DEMOTED, 1, ZkLink.CONNECTED, false, true,
                new ClusterView(Optional.of(a1), List.of()), StreamState.NONE, new RejoinState(1, null));
        Decision d = RoleMachine.decide(s).orElseThrow();
        assertThat(d.next()).isEqualTo(Role.PRIMARY);
        assertThat(d.actions()).singleElement().isInstanceOf(Action.Promote.class);
    }
}
