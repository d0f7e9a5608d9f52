package io.understudy.node.replication;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SequenceFloorTest {

    private static final long MAX = Long.MAX_VALUE;

    @ParameterizedTest(name = "last={0} inc={1} columns={2} mark={3} gap={4} -> {5}")
    @CsvSource(nullValues = "-", value = {
            // past the furthest evidence by the gap
            "-,    1,  17,  -,    100, ADVANCE, 117",
            "5,    1,  17,  40,   100, ADVANCE, 140",
            "5,    1,  90,  40,   0,   ADVANCE, 90",
            // already past it: left alone (a node that went on handing out values keeps them)
            "500,  1,  17,  40,   100, KEEP,    500",
            "140,  1,  17,  40,   100, KEEP,    140",
            // nothing known to be used
            "-,    1,  -,   -,    100, KEEP,    -",
            "3,    1,  -,   -,    100, KEEP,    3",
            // the mark alone (a sequence no column uses)
            "-,    5,  -,   1000, 100, ADVANCE, 1100",
            // descending sequences move down
            "-,   -1,  -17, -40,  100, ADVANCE, -140",
            "-500,-1,  -17, -40,  100, KEEP,    -500",
    })
    void shouldMovePastEveryValueKnownToBeUsed(Long last, long increment, Long columns, Long mark, long gap, String verdict, Long value) {
        SequenceFloor.Verdict v = SequenceFloor.decide(new SequenceFloor.Seen("app.s", last, increment, -MAX, MAX, columns, mark), gap);

        if (verdict.equals("ADVANCE")) {
            assertThat(v).isInstanceOf(SequenceFloor.Verdict.Advance.class);
            assertThat(((SequenceFloor.Verdict.Advance) v).value()).isEqualTo(value);
            assertThat(((SequenceFloor.Verdict.Advance) v).reason()).startsWith("app.s: ");
        } else {
            assertThat(v).isInstanceOf(SequenceFloor.Verdict.Keep.class);
        }
    }

    @ParameterizedTest(name = "max={0} wanted past {1} -> {2}")
    @CsvSource({
            "1000, 950, 1000",
            "2147483647, 2147483600, 2147483647",
    })
    void shouldStopAtTheSequencesLimitAndSaySo(long maxValue, long used, long expected) {
        SequenceFloor.Verdict v = SequenceFloor.decide(new SequenceFloor.Seen("app.s", 1L, 1, 1, maxValue, used, null), 100);

        assertThat(v).isInstanceOf(SequenceFloor.Verdict.Advance.class);
        assertThat(((SequenceFloor.Verdict.Advance) v).value()).isEqualTo(expected);
        assertThat(((SequenceFloor.Verdict.Advance) v).reason()).contains("its next value fails");
    }
}
