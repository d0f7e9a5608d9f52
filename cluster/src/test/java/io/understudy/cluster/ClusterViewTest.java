package io.understudy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClusterViewTest {

    private static final PrimaryRecord A_AT_2 = new PrimaryRecord("a", "http://a", "a:1/db", 2, 0, null, 0);

    private static MemberRecord member(String id, Role role, long epoch) {
        return new MemberRecord(id, "http://" + id, id + ":1/db", role, epoch, 0, -1, true, "t", 0);
    }

    @Test
    void shouldTreatPrimaryAsLiveOnlyWhenItsMemberSaysPrimaryInTheSameEpoch() {
        assertThat(new ClusterView(Optional.of(A_AT_2), List.of(member("a", Role.PRIMARY, 2))).livePrimary()).isPresent();
        assertThat(new ClusterView(Optional.of(A_AT_2), List.of()).livePrimary()).isEmpty();
        assertThat(new ClusterView(Optional.of(A_AT_2), List.of(member("a", Role.DEMOTED, 2))).livePrimary()).isEmpty();
        assertThat(new ClusterView(Optional.of(A_AT_2), List.of(member("a", Role.PRIMARY, 1))).livePrimary()).isEmpty();
        assertThat(new ClusterView(Optional.empty(), List.of(member("a", Role.PRIMARY, 2))).livePrimary()).isEmpty();
    }

    @Test
    void shouldReportEpochZeroWithoutPrimaryAndSortMembers() {
        ClusterView view = new ClusterView(Optional.empty(), List.of(member("b", Role.SECONDARY, 0), member("a", Role.STARTING, 0)));
        assertThat(view.epoch()).isZero();
        assertThat(view.members()).extracting(MemberRecord::nodeId).containsExactly("a", "b");
    }

    @Test
    void shouldLeaveOutCommandsKnownToBeRemovedAndKeepTheOthersInOrder() {
        QueuedCommand first = new QueuedCommand("cmd-0001", new CommandRecord("so-1", CommandRecord.Type.SWITCHOVER, "b", 1,
                "it", 0, null));
        QueuedCommand second = new QueuedCommand("cmd-0002", new CommandRecord("p-1", CommandRecord.Type.PAUSE, null, 0, "it",
                0, null));
        ClusterView view = new ClusterView(Optional.of(A_AT_2), List.of(), ClusterSettings.DEFAULTS, List.of(second, first));

        assertThat(view.withoutCommands(java.util.Set.of("cmd-0001")).nextCommand()).contains(second);
        assertThat(view.withoutCommands(java.util.Set.of("cmd-0001", "cmd-0002")).nextCommand()).isEmpty();
        assertThat(view.withoutCommands(java.util.Set.of("cmd-9999"))).isSameAs(view);
        assertThat(view.withoutCommands(java.util.Set.of())).isSameAs(view);
        assertThat(view.withoutCommands(java.util.Set.of("cmd-0002")).primary()).contains(A_AT_2);
    }
}
