package io.understudy.node.role;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.cluster.ClusterSettings;
import io.understudy.cluster.ClusterView;
import io.understudy.cluster.HistoryRecord;
import io.understudy.cluster.MemberRecord;
import io.understudy.cluster.MemberRecord.Candidacy;
import io.understudy.cluster.PrimaryRecord;
import io.understudy.cluster.ReplicationInfo;
import io.understudy.cluster.Role;
import io.understudy.cluster.SyncStandbys;
import io.understudy.node.role.Fitness.DbHealth;
import io.understudy.node.role.Fitness.Tags;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The candidacy rules of {@link CandidateRules} as {@link RoleMachine} applies them: database, tags, synchronous
 * standbys, lag, ranking.
 */
class EligibilityRulesTest {

    private static final PrimaryRecord A1 = new PrimaryRecord("a", "http://a", "a:5432/postgres", 1, 0, null, 0);
    private static final long MIB = 1L << 20;
    private static final DbHealth DB_DOWN_BRIEFLY = new DbHealth(false, 1000, 3000, "Connection refused");
    private static final DbHealth DB_DOWN = new DbHealth(false, 3500, 3000, "Connection refused");

    private static MemberRecord member(String id, Role role, Candidacy candidacy) {
        return new MemberRecord(id, "http://" + id, id + ":5432/postgres", role, 1, candidacy.position(), -1, true, "t", 0,
                ReplicationInfo.NONE, candidacy);
    }

    private static MemberRecord eligible(String id, int priority, long position) {
        return member(id, Role.SECONDARY, new Candidacy(true, "streaming", priority, false, position));
    }

    private static ClusterView view(PrimaryRecord primary, MemberRecord... members) {
        return new ClusterView(Optional.ofNullable(primary), List.of(members), ClusterSettings.DEFAULTS, List.of());
    }

    /** Secondary b streaming from a@1, holding {@code held}, the leader. */
    private static Situation b(ClusterView view, long held, Fitness fitness) {
        return new Situation("b", Role.SECONDARY, 0, ZkLink.CONNECTED, false, true, view,
                new StreamState("a@1", true, false, held), fitness);
    }

    private static Fitness fitness(Tags tags, DbHealth db, long primaryPosition) {
        return new Fitness(tags, db, primaryPosition, 0);
    }

    private static Eligibility eligibility(Situation s) {
        return RoleMachine.eligibility(s);
    }

    // ---- lag ----

    @Test
    void shouldStandWithinMaxLagOfThePrimarysLastPublishedPosition() {
        Situation s = b(view(A1), 10 * MIB, fitness(Tags.DEFAULT, DbHealth.HEALTHY, 11 * MIB));
        assertThat(eligibility(s).eligible()).isTrue();
        assertThat(RoleMachine.decide(s).orElseThrow().next()).isEqualTo(Role.PRIMARY);
    }

    @Test
    void shouldNotPromoteBeyondMaxLag() {
        Situation s = b(view(A1), 10 * MIB, fitness(Tags.DEFAULT, DbHealth.HEALTHY, 11 * MIB + 1));
        assertThat(eligibility(s)).isEqualTo(new Eligibility(false,
                "lag 1048577 bytes > maxLagOnFailover 1048576 (a@1 published 11534337, holding 10485760)"));
        assertThat(RoleMachine.decide(s)).isEmpty();
    }

    @Test
    void shouldApplyTheMaxLagFromClusterSettings() {
        ClusterView strict = new ClusterView(Optional.of(A1), List.of(), new ClusterSettings(false, null, 1000), List.of());
        assertThat(eligibility(b(strict, 5000, fitness(Tags.DEFAULT, DbHealth.HEALTHY, 7000))).reason())
                .startsWith("lag 2000 bytes > maxLagOnFailover 1000");
        assertThat(eligibility(b(strict, 5000, fitness(Tags.DEFAULT, DbHealth.HEALTHY, 6000))).eligible()).isTrue();
    }

    @Test
    void shouldCountProcessedHeartbeatsAsHeldSoAnIdlePrimaryDoesNotLookAhead() {
        ClusterView strict = new ClusterView(Optional.of(A1), List.of(), new ClusterSettings(false, null, 1000), List.of());
        Fitness heartbeatsProcessed = new Fitness(Tags.DEFAULT, DbHealth.HEALTHY, 9_000_000, 8_999_500);
        assertThat(eligibility(b(strict, 5000, heartbeatsProcessed)).eligible()).isTrue();
    }

    @Test
    void shouldNotBlockOnLagWhenThePrimarysPositionIsUnknown() {
        assertThat(eligibility(b(view(A1), 0, fitness(Tags.DEFAULT, DbHealth.HEALTHY, -1))).eligible()).isTrue();
    }

    // ---- tags ----

    @Test
    void shouldNeverStandWithNofailoverNotEvenToBootstrapOrReclaim() {
        Fitness nofailover = fitness(new Tags(true, 100), DbHealth.HEALTHY, -1);
        assertThat(eligibility(b(view(A1), 0, nofailover))).isEqualTo(new Eligibility(false, "tags.nofailover is set"));
        assertThat(RoleMachine.decide(b(view(A1), 0, nofailover))).isEmpty();

        Situation bootstrap = new Situation("b", Role.STARTING, 0, ZkLink.CONNECTED, false, true, view(null),
                StreamState.NONE, nofailover);
        assertThat(eligibility(bootstrap).eligible()).isFalse();
        assertThat(RoleMachine.decide(bootstrap)).as("leader flag not yet cleared").isEmpty();

        Situation reclaim = new Situation("a", Role.STARTING, 0, ZkLink.CONNECTED, false, true, view(A1),
                StreamState.NONE, nofailover);
        assertThat(RoleMachine.decide(reclaim)).isEmpty();
    }

    @Test
    void shouldNeverPromoteAutomaticallyWithPriorityZero() {
        Fitness zero = fitness(new Tags(false, 0), DbHealth.HEALTHY, -1);
        assertThat(eligibility(b(view(A1), 0, zero)).reason()).isEqualTo("tags.priority is 0: never promoted automatically");
        assertThat(RoleMachine.decide(b(view(A1), 0, zero))).isEmpty();
        assertThat(eligibility(new Situation("b", Role.STARTING, 0, ZkLink.CONNECTED, false, true, view(null),
                StreamState.NONE, zero)).eligible()).isFalse();
    }

    // ---- synchronous standbys (three nodes: primary a, secondaries b and c) ----

    @Test
    void shouldLetOnlyASynchronousStandbyTakeOverFromAPrimaryThatAcknowledgedInSyncMode() {
        ClusterView onlyBHasEverything = view(A1, eligible("c", 100, 9000))
                .withSync(new SyncStandbys("a", 1, List.of("b"), 0));
        assertThat(eligibility(b(onlyBHasEverything, 5000, fitness(Tags.DEFAULT, DbHealth.HEALTHY, 5000))).eligible()).isTrue();

        Situation c = new Situation("c", Role.SECONDARY, 0, ZkLink.CONNECTED, false, true, onlyBHasEverything,
                new StreamState("a@1", true, false, 9000), fitness(Tags.DEFAULT, DbHealth.HEALTHY, 9000));
        assertThat(eligibility(c)).isEqualTo(new Eligibility(false,
                "not a synchronous standby of a@1 (standbys [b]): it may lack writes that primary acknowledged"));
        assertThat(RoleMachine.decide(c)).as("even as the election's leader").isEmpty();
    }

    @Test
    void shouldLetEveryStandbyStandWhenBothAreSynchronous() {
        ClusterView both = view(A1).withSync(new SyncStandbys("a", 1, List.of("b", "c"), 0));
        assertThat(eligibility(b(both, 5000, fitness(Tags.DEFAULT, DbHealth.HEALTHY, 5000))).eligible()).isTrue();
    }

    @Test
    void shouldIgnoreASyncRecordOfAnotherEpochOrAnEmptyOne() {
        Fitness fit = fitness(Tags.DEFAULT, DbHealth.HEALTHY, 5000);
        assertThat(eligibility(b(view(A1).withSync(new SyncStandbys("a", 0, List.of("c"), 0)), 5000, fit)).eligible())
                .as("written in an earlier epoch").isTrue();
        assertThat(eligibility(b(view(A1).withSync(new SyncStandbys("z", 1, List.of("c"), 0)), 5000, fit)).eligible())
                .as("written by another node").isTrue();
        assertThat(eligibility(b(view(A1).withSync(new SyncStandbys("a", 1, List.of(), 0)), 5000, fit)).eligible())
                .as("degraded: acknowledged without a standby").isTrue();
    }

    // ---- ranking ----

    @Test
    void shouldDeferToAnEligibleCandidateWithHigherPriorityOnceThePrimaryIsGone() {
        ClusterView gone = view(A1, eligible("c", 200, 100));
        assertThat(eligibility(b(gone, 5000, Fitness.DEFAULT)).reason())
                .isEqualTo("deferring to c (priority 200, position 100 against 100, 5000)");
        assertThat(RoleMachine.decide(b(gone, 5000, Fitness.DEFAULT))).isEmpty();
    }

    @Test
    void shouldDeferToTheSamePriorityWithMoreDataThenToTheSmallerId() {
        assertThat(eligibility(b(view(A1, eligible("c", 100, 6000)), 5000, Fitness.DEFAULT)).reason())
                .startsWith("deferring to c");
        assertThat(eligibility(b(view(A1, eligible("c", 100, 5000)), 5000, Fitness.DEFAULT)).eligible())
                .as("same priority and position: b < c").isTrue();
        Situation c = new Situation("c", Role.SECONDARY, 0, ZkLink.CONNECTED, false, true,
                view(A1, eligible("b", 100, 5000)), new StreamState("a@1", true, false, 5000), Fitness.DEFAULT);
        assertThat(eligibility(c).reason()).startsWith("deferring to b");
    }

    @Test
    void shouldNotDeferToLowerRanksIneligibleMembersOrTheOldPrimary() {
        MemberRecord lower = eligible("c", 50, 9000);
        MemberRecord ineligible = member("d", Role.SECONDARY, new Candidacy(false, "tags.nofailover is set", 900, true, 9000));
        MemberRecord unknown = member("e", Role.SECONDARY, Candidacy.UNKNOWN);
        MemberRecord oldPrimary = member("a", Role.DEMOTED, new Candidacy(true, "last recorded primary", 900, false, 9000));
        assertThat(eligibility(b(view(A1, lower, ineligible, unknown, oldPrimary), 5000, Fitness.DEFAULT)).eligible()).isTrue();
    }

    @Test
    void shouldNotDeferWhileThePrimaryIsLive() {
        ClusterView live = view(A1, member("a", Role.PRIMARY, new Candidacy(true, "primary of epoch 1", 100, false, 0)),
                eligible("c", 200, 9000));
        assertThat(eligibility(b(live, 5000, Fitness.DEFAULT)).eligible()).isTrue();
    }

    @Test
    void shouldNeverLetTwoEligibleCandidatesBothDefer() {
        int[] priorities = {1, 50, 100};
        long[] positions = {0, 10, 20};
        for (int pb : priorities) {
            for (int pc : priorities) {
                for (long bPublished : positions) {
                    for (long cPublished : positions) {
                        for (long bGain : new long[] {0, 15}) {
                            for (long cGain : new long[] {0, 15}) {
                                boolean bDefers = defers("b", pb, bPublished + bGain, eligible("c", pc, cPublished));
                                boolean cDefers = defers("c", pc, cPublished + cGain, eligible("b", pb, bPublished));
                                assertThat(bDefers && cDefers).as("b %d@%d+%d, c %d@%d+%d", pb, bPublished, bGain,
                                        pc, cPublished, cGain).isFalse();
                            }
                        }
                    }
                }
            }
        }
    }

    private static boolean defers(String self, int priority, long held, MemberRecord other) {
        Situation s = new Situation(self, Role.SECONDARY, 0, ZkLink.CONNECTED, false, true, view(A1, other),
                new StreamState("a@1", true, false, held), fitness(new Tags(false, priority), DbHealth.HEALTHY, -1));
        return eligibility(s).reason().startsWith("deferring");
    }

    // ---- database health ----

    @Test
    void shouldNotStandOrActWhileItsOwnDatabaseIsUnreachable() {
        Situation s = b(view(A1), 5000, fitness(Tags.DEFAULT, DB_DOWN_BRIEFLY, -1));
        assertThat(eligibility(s)).isEqualTo(new Eligibility(false, "database unreachable for 1000 ms (Connection refused)"));
        assertThat(RoleMachine.decide(s)).isEmpty();
    }

    @Test
    void shouldKeepThePrimaryRoleWhileItsDatabaseIsDownShorterThanTheFailTimeout() {
        Situation s = new Situation("a", Role.PRIMARY, 1, ZkLink.CONNECTED, true, true,
                view(A1, member("a", Role.PRIMARY, Candidacy.UNKNOWN)), StreamState.NONE,
                fitness(Tags.DEFAULT, DB_DOWN_BRIEFLY, -1));
        assertThat(RoleMachine.decide(s)).isEmpty();
        assertThat(eligibility(s).eligible()).isTrue();
    }

    @Test
    void shouldDemoteAPrimaryWhoseDatabaseFailedAndThenLeaveTheElection() {
        Situation s = new Situation("a", Role.PRIMARY, 1, ZkLink.CONNECTED, true, true,
                view(A1, member("a", Role.PRIMARY, Candidacy.UNKNOWN)), StreamState.NONE, fitness(Tags.DEFAULT, DB_DOWN, -1));
        Decision d = RoleMachine.decide(s).orElseThrow();
        assertThat(d.next()).isEqualTo(Role.DEMOTED);
        assertThat(d.actions()).singleElement().isInstanceOf(Action.Demote.class);
        assertThat(d.reason()).isEqualTo("own database unreachable for 3500 ms (Connection refused), db.failTimeoutMs is 3000");

        Situation demoted = new Situation("a", Role.DEMOTED, 1, ZkLink.CONNECTED, false, true,
                view(A1, member("a", Role.DEMOTED, Candidacy.UNKNOWN)), StreamState.NONE, fitness(Tags.DEFAULT, DB_DOWN, -1));
        assertThat(eligibility(demoted).eligible()).isFalse();
        assertThat(RoleMachine.decide(demoted)).as("no reclaim without its database").isEmpty();

        Situation recovered = demoted.withFitness(Fitness.DEFAULT);
        assertThat(RoleMachine.decide(recovered).orElseThrow().actions()).singleElement()
                .isInstanceOfSatisfying(Action.Promote.class, p -> assertThat(p.kind()).isEqualTo(HistoryRecord.Type.PROMOTION));
    }

    @Test
    void shouldLetTheSecondaryTakeOverFromAPrimaryDemotedForItsDatabase() {
        ClusterView demoted = view(A1, member("a", Role.DEMOTED, new Candidacy(false, "database unreachable", 100, false, 0)));
        Decision d = RoleMachine.decide(b(demoted, 5000, fitness(Tags.DEFAULT, DbHealth.HEALTHY, 5100))).orElseThrow();
        assertThat(d.next()).isEqualTo(Role.PRIMARY);
        assertThat(d.reason()).contains("reports role DEMOTED");
    }
}
