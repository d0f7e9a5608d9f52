package io.understudy.launcher.cli.drill;

import static io.understudy.launcher.cli.drill.FiguresTest.MS;
import static io.understudy.launcher.cli.drill.FiguresTest.read;
import static io.understudy.launcher.cli.drill.FiguresTest.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.workload.Op;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimelineTest {

    @Test
    void shouldCountRequestsPerSliceByWhenTheirAnswerCame() {
        Timeline t = Timeline.of(List.of(
                write(1, 1, 0, 50, 201, 1, false),
                read(1, 50, 99, Op.ACKED),
                write(2, 1, 60, 350, 201, 2, false),
                write(3, 1, 100, 120, 503, -1, false),
                write(4, 1, 300, 399, 201, 2, false)), 0, 400 * MS, 100, 200 * MS);

        assertThat(t.buckets()).containsExactly(
                new Timeline.Bucket(0, 2, 0, 0),
                new Timeline.Bucket(100, 0, 0, 1),
                new Timeline.Bucket(200, 0, 0, 0),
                new Timeline.Bucket(300, 1, 1, 0),
                new Timeline.Bucket(400, 0, 0, 0));
        assertThat(t.peak()).isEqualTo(2);
    }

    @Test
    void shouldPutAnswersAfterTheEndIntoTheLastSlice() {
        Timeline t = Timeline.of(List.of(write(1, 1, 0, 950, 201, 1, false)), 0, 500 * MS, 100, 200 * MS);
        assertThat(t.buckets()).hasSize(6);
        assertThat(t.buckets().get(5).held()).isEqualTo(1);
    }
}
