package io.understudy.node.role;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.cluster.ClusterView;
import io.understudy.cluster.MemberRecord;
import io.understudy.cluster.PrimaryRecord;
import io.understudy.cluster.Role;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PrimaryMarkTest {

    private static final PrimaryRecord A1 = new PrimaryRecord("a", "http://a", "a:1/db", 1, 0, null, 0);
    private static final PrimaryRecord B2 = new PrimaryRecord("b", "http://b", "b:1/db", 2, 0, "a", 0);

    private static ClusterView view(PrimaryRecord p, String id, Role role, long epoch, long position) {
        return new ClusterView(Optional.of(p), List.of(new MemberRecord(id, "http://" + id, id + ":1/db", role, epoch, position,
                -1, true, "t", 0)));
    }

    @Test
    void shouldKeepTheHighestPositionThePrimaryPublishedAfterItsRecordVanished() {
        PrimaryMark mark = PrimaryMark.NONE.next(view(A1, "a", Role.PRIMARY, 1, 500)).next(view(A1, "a", Role.PRIMARY, 1, 900));
        mark = mark.next(new ClusterView(Optional.of(A1), List.of()));
        assertThat(mark.positionOf(A1)).isEqualTo(900);
        assertThat(mark.next(view(A1, "a", Role.PRIMARY, 1, 0)).positionOf(A1)).as("0: could not read its WAL").isEqualTo(900);
    }

    @Test
    void shouldIgnoreWhatOthersOrAnOldEpochPublishAndForgetOnANewPrimary() {
        assertThat(PrimaryMark.NONE.next(view(A1, "a", Role.DEMOTED, 1, 500)).positionOf(A1)).isEqualTo(-1);
        assertThat(PrimaryMark.NONE.next(view(A1, "b", Role.SECONDARY, 1, 500)).positionOf(A1)).isEqualTo(-1);
        PrimaryMark onA = PrimaryMark.NONE.next(view(A1, "a", Role.PRIMARY, 1, 500));
        assertThat(onA.positionOf(B2)).isEqualTo(-1);
        assertThat(onA.next(view(B2, "b", Role.PRIMARY, 2, 100)).positionOf(B2)).isEqualTo(100);
    }
}
