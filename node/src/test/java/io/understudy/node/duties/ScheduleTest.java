package io.understudy.node.duties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScheduleTest {

    @ParameterizedTest(name = "''{0}'' at {1}: last {2}, next {3}")
    @CsvSource(delimiter = '|', value = {
            // Unix cron: minutes
            "0 2 * * *       | 2026-12-03T10:00:04.500Z | 2026-12-03T02:00:00Z | 2026-12-04T02:00:00Z",
            "*/5 * * * *     | 2026-12-03T10:00:00Z     | 2026-12-03T10:00:00Z | 2026-12-03T10:05:00Z",
            "*/5 * * * *     | 2026-12-03T10:04:59.999Z | 2026-12-03T10:00:00Z | 2026-12-03T10:05:00Z",
            "0 2 * * 1-5     | 2026-12-05T12:00:00Z     | 2026-12-04T02:00:00Z | 2026-12-07T02:00:00Z",
            // six fields: seconds first; a slot at the very second counts as reached
            "*/2 * * * * *   | 2026-12-03T10:00:04Z     | 2026-12-03T10:00:04Z | 2026-12-03T10:00:06Z",
            "*/2 * * * * *   | 2026-12-03T10:00:05.900Z | 2026-12-03T10:00:04Z | 2026-12-03T10:00:06Z",
            "* * * * * *     | 2026-12-03T10:00:04.500Z | 2026-12-03T10:00:04Z | 2026-12-03T10:00:05Z",
    })
    void shouldFindTheSlotsAroundAnInstantToTheSecond(String cron, String now, String last, String next) {
        Schedule s = Schedule.parse(cron, ZoneOffset.UTC);
        long at = Instant.parse(now).toEpochMilli();

        assertThat(Instant.ofEpochMilli(s.lastSlotAtOrBefore(at))).isEqualTo(Instant.parse(last));
        assertThat(Instant.ofEpochMilli(s.nextSlotAfter(at))).isEqualTo(Instant.parse(next));
    }

    @ParameterizedTest(name = "''{0}''")
    @CsvSource(delimiter = '|', value = {
            "61 * * * *       | Value 61 not in range",
            "* * * *          | a cron expression has 5 fields",
            "* * * * * * * *  | got 8",
            "@daily           | got 1",
            "0 2 * * mon-xyz  | not a valid cron expression '0 2 * * mon-xyz'",
    })
    void shouldSayWhatIsWrongWithAnExpression(String cron, String problem) {
        assertThatThrownBy(() -> Schedule.parse(cron, ZoneOffset.UTC))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(problem);
    }
}
