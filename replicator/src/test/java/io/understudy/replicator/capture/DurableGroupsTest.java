package io.understudy.replicator.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.understudy.replicator.capture.DurableGroups.Commit;
import java.util.List;
import org.junit.jupiter.api.Test;

class DurableGroupsTest {

    private static Commit unsynced(long walEnd, long flushed) {
        return new Commit(false, walEnd, flushed);
    }

    @Test
    void shouldReleaseASynchronousCommitAtOnce() {
        DurableGroups<String> groups = new DurableGroups<>();

        assertThat(groups.committed("g1", Commit.SYNCED)).containsExactly("g1");
        assertThat(groups.pending()).isFalse();
    }

    @Test
    void shouldHoldAnUnsyncedCommitUntilTheFlushPassesIt() {
        DurableGroups<String> groups = new DurableGroups<>();

        assertThat(groups.committed("g1", unsynced(100, 90))).isEmpty();
        assertThat(groups.pending()).isTrue();
        assertThat(groups.flushed(99)).isEmpty();
        assertThat(groups.flushed(100)).containsExactly("g1");
        assertThat(groups.pending()).isFalse();
    }

    @Test
    void shouldNeverReleaseARefusedGroupNorAnyGroupAfterIt() {
        DurableGroups<String> groups = new DurableGroups<>();

        assertThat(groups.committed("applied", unsynced(100, 90))).isEmpty();
        assertThat(groups.committed("refused", Commit.REFUSED)).isEmpty();
        assertThat(groups.committed("later", unsynced(120, 500))).containsExactly("applied");

        assertThat(groups.flushed(Long.MAX_VALUE - 1)).isEmpty();
        assertThat(groups.pending()).isTrue();
    }

    @Test
    void shouldReleaseAnUnsyncedCommitAlreadyFlushedWhenRead() {
        DurableGroups<String> groups = new DurableGroups<>();

        assertThat(groups.committed("g1", unsynced(100, 100))).containsExactly("g1");
    }

    @Test
    void shouldReleaseOnlyThePrefixTheFlushCoversInCommitOrder() {
        DurableGroups<String> groups = new DurableGroups<>();
        groups.committed("g1", unsynced(100, 0));
        groups.committed("g2", unsynced(200, 0));
        groups.committed("g3", unsynced(300, 0));

        assertThat(groups.flushed(250)).containsExactly("g1", "g2");
        assertThat(groups.flushed(300)).containsExactly("g3");
    }

    @Test
    void shouldReleaseEveryEarlierGroupWithASynchronousCommit() {
        DurableGroups<String> groups = new DurableGroups<>();
        groups.committed("g1", unsynced(100, 0));
        groups.committed("g2", unsynced(200, 0));

        assertThat(groups.committed("g3", Commit.SYNCED)).containsExactly("g1", "g2", "g3");
        assertThat(groups.pending()).isFalse();
    }

    @Test
    void shouldKeepAGroupThatWroteNothingBehindTheUnflushedGroupsBeforeIt() {
        DurableGroups<String> groups = new DurableGroups<>();
        groups.committed("g1", unsynced(100, 0));

        assertThat(groups.committed("heartbeat", Commit.NOTHING_WRITTEN)).isEmpty();
        assertThat(groups.flushed(100)).containsExactly("g1", "heartbeat");
    }

    @Test
    void shouldReleaseAGroupThatWroteNothingAtOnceWhenNothingIsHeld() {
        DurableGroups<String> groups = new DurableGroups<>();

        assertThat(groups.committed("heartbeat", Commit.NOTHING_WRITTEN)).containsExactly("heartbeat");
    }

    @Test
    void shouldRejectANegativePosition() {
        assertThatThrownBy(() -> new DurableGroups<String>().committed("g", unsynced(-1, 0)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldReleaseNothingWhenNothingIsHeld() {
        assertThat(new DurableGroups<String>().flushed(Long.MAX_VALUE)).isEqualTo(List.of());
    }
}
