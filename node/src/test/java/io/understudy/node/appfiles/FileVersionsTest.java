package io.understudy.node.appfiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link FileVersions}: versions ordered by epoch, then by capture order, never shared between epochs. */
class FileVersionsTest {

    @Test
    void shouldCountWithinAnEpochFromItsFloor() {
        long first = FileVersions.next(1, FileVersions.floor(1));
        assertThat(FileVersions.format(first)).isEqualTo("1:1");
        assertThat(FileVersions.next(1, first)).isEqualTo(first + 1);
        assertThat(FileVersions.epochOf(first)).isEqualTo(1);
        assertThat(FileVersions.format(FileVersions.next(7, FileVersions.next(7, FileVersions.floor(7))))).isEqualTo("7:2");
    }

    @Test
    void shouldSortEveryVersionOfALaterEpochAfterEveryVersionOfAnEarlierOne() {
        // epoch, highest used so far in it → the next version; listed in the order they are captured
        long[][] table = {{1, 0}, {1, 1}, {1, 0xFFFF_FFFEL}, {2, 0}, {2, 5}, {3, 0}, {FileVersions.MAX_EPOCH, 0}};
        List<Long> versions = new ArrayList<>();
        for (long[] row : table) {
            versions.add(FileVersions.next(row[0], FileVersions.floor(row[0]) + row[1]));
        }
        assertThat(versions).isSorted().doesNotHaveDuplicates();
        assertThat(versions).allMatch(v -> v > 0);
    }

    @Test
    void shouldRefuseAVersionOfAnotherEpochAndAnExhaustedOne() {
        long ofEpoch1 = FileVersions.next(1, FileVersions.floor(1));
        assertThatThrownBy(() -> FileVersions.next(2, ofEpoch1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FileVersions.next(1, FileVersions.floor(1) | 0xFFFF_FFFFL)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> FileVersions.floor(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FileVersions.floor(FileVersions.MAX_EPOCH + 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
