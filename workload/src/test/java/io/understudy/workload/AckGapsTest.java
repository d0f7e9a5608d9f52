package io.understudy.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AckGapsTest {

    private static final long MS = 1_000_000;

    private static Op ack(long endMs) {
        return Op.write(endMs, 1, "x" + endMs, "k", "{}", false, 0, endMs * MS, 200, Op.ACKED, 1, "a", false);
    }

    private static Op failedAt(long endMs) {
        return Op.write(endMs, 1, "x" + endMs, "k", "{}", false, 0, endMs * MS, 503, "503:no_primary", -1, null, false);
    }

    private static Op readAt(long endMs) {
        return new Op(Op.Kind.READ, endMs, 1, "x", null, "{}", false, 0, endMs * MS, 200, Op.ACKED, 1, "a", false);
    }

    @Test
    void shouldFindTheLongestStretchBetweenWriteAcknowledgements() {
        AckGaps.Gap gap = AckGaps.longest(List.of(ack(10), ack(20), ack(2020), ack(2030)), 0, 2100 * MS);
        assertThat(gap).isEqualTo(new AckGaps.Gap(20 * MS, 2020 * MS));
        assertThat(gap.millis()).isEqualTo(2000);
    }

    @Test
    void shouldIgnoreFailuresAndReadsInsideTheGap() {
        AckGaps.Gap gap = AckGaps.longest(List.of(ack(10), failedAt(500), readAt(700), ack(1010)), 0, 1100 * MS);
        assertThat(gap.millis()).isEqualTo(1000);
    }

    @Test
    void shouldCountTheWindowEdgesWhenNoWriteRecovered() {
        assertThat(AckGaps.longest(List.of(ack(10)), 0, 5000 * MS)).isEqualTo(new AckGaps.Gap(10 * MS, 5000 * MS));
        assertThat(AckGaps.longest(List.of(), 0, 300 * MS).millis()).isEqualTo(300);
    }

    @Test
    void shouldIgnoreAcknowledgementsOutsideTheWindow() {
        AckGaps.Gap gap = AckGaps.longest(List.of(ack(10), ack(5000)), 100 * MS, 400 * MS);
        assertThat(gap).isEqualTo(new AckGaps.Gap(100 * MS, 400 * MS));
    }
}
