package io.understudy.node.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The synchronous standbys of a primary with two secondaries, b and c, step by step. */
class SyncSetTest {

    private static final SyncSet BOTH = new SyncSet(List.of("b", "c"), Map.of(), Map.of());

    @Test
    void shouldAcknowledgeOnlyOnceEveryStandbyHasTheWrite() {
        assertThat(BOTH.confirms(100, Map.of("b", 100L, "c", 99L))).isFalse();
        assertThat(BOTH.confirms(100, Map.of("b", 100L))).as("c never reported").isFalse();
        assertThat(BOTH.confirms(100, Map.of("b", 100L, "c", 150L))).isTrue();
        assertThat(BOTH.lagging(100, Map.of("b", 100L, "c", 99L))).containsExactly("c");
    }

    @Test
    void shouldNeverConfirmWithoutAStandby() {
        assertThat(SyncSet.EMPTY.confirms(0, Map.of("b", 100L))).isFalse();
        SyncSet confirmingOnly = SyncSet.EMPTY.confirm("b", 50);
        assertThat(confirmingOnly.confirms(10, Map.of("b", 100L))).as("b is not published yet").isFalse();
    }

    @Test
    void shouldLetASecondaryJoinOnlyAfterCatchingUpAndThenConfirmingWhileWaitedFor() {
        SyncSet set = new SyncSet(List.of("b"), Map.of(), Map.of()).catchUp("c", 500);
        assertThat(set.waitFor()).as("writes do not wait for c while it catches up").containsExactly("b");
        assertThat(set.caughtUp(Map.of("b", 900L, "c", 499L))).isEmpty();
        assertThat(set.caughtUp(Map.of("b", 900L, "c", 500L))).containsExactly("c");

        set = set.confirm("c", 800);
        assertThat(set.waitFor()).as("from now on writes wait for c too").containsExactly("b", "c");
        assertThat(set.confirms(700, Map.of("b", 900L, "c", 650L))).isFalse();
        assertThat(set.confirmed(Map.of("b", 900L, "c", 799L))).isEmpty();
        assertThat(set.confirmed(Map.of("b", 900L, "c", 800L))).containsExactly("c");

        set = set.published(set.publishedWith(List.of("c")));
        assertThat(set).isEqualTo(BOTH);
    }

    @Test
    void shouldIgnoreASecondChanceToCatchUpForAKnownNode() {
        SyncSet set = SyncSet.EMPTY.catchUp("c", 500);
        assertThat(set.catchUp("c", 900).catchingUp()).containsEntry("c", 500L);
        assertThat(BOTH.catchUp("b", 900)).isEqualTo(BOTH);
    }

    @Test
    void shouldTakeALaggingStandbyOutWhileAnotherRemains() {
        assertThat(BOTH.publishedWithout(List.of("c"), false)).containsExactly("b");
        assertThat(BOTH.left(List.of("c"), List.of("b"))).isEqualTo(new SyncSet(List.of("b"), Map.of(), Map.of()));
    }

    @Test
    void shouldKeepTheLastStandbysWhenAcknowledgingWithoutOneIsRefused() {
        assertThat(BOTH.publishedWithout(List.of("b", "c"), false)).as("syncFallback=refuse").containsExactly("b", "c");
        assertThat(BOTH.publishedWithout(List.of("b", "c"), true)).as("syncFallback=async").isEmpty();
        SyncSet onlyB = new SyncSet(List.of("b"), Map.of(), Map.of());
        assertThat(onlyB.publishedWithout(List.of("b"), false)).containsExactly("b");
    }

    @Test
    void shouldForgetALeavingSecondaryThatWasStillJoining() {
        SyncSet set = BOTH.catchUp("d", 10).confirm("e", 20);
        SyncSet after = set.left(List.of("d", "e"), set.publishedWithout(List.of("d", "e"), false));
        assertThat(after).isEqualTo(BOTH);
        assertThat(after.knows("d")).isFalse();
    }
}
