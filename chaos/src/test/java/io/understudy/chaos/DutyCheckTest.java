package io.understudy.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.cluster.DutyRun;
import io.understudy.cluster.HistoryRecord;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DutyCheckTest {

    private static DutyRun run(String node, long epoch, long slot, long start) {
        return DutyRun.started("chaos", node, epoch, slot, start, "scheduled");
    }

    private static HistoryRecord started(DutyRun run) {
        return HistoryRecord.ofDuty(HistoryRecord.Type.DUTY_STARTED, run.nodeId(), run.epoch(), run.startedAtMs(), "started", run);
    }

    private static HistoryRecord ended(DutyRun run, long at, DutyRun.Outcome outcome) {
        return HistoryRecord.ofDuty(HistoryRecord.Type.DUTY_ENDED, run.nodeId(), run.epoch(), at, "ended",
                run.ended(at, outcome, 0, "ended"));
    }

    @Test
    void shouldPassRunsOfSuccessiveSlotsAndAReRunInTheNextEpoch() {
        DutyRun first = run("a", 1, 4000, 4000);
        DutyRun second = run("a", 1, 8000, 8000);
        DutyRun interrupted = run("a", 1, 12000, 12000);
        DutyRun rerun = run("b", 2, 12000, 14000);
        List<HistoryRecord> history = List.of(started(first), ended(first, 7000, DutyRun.Outcome.SUCCEEDED), started(second),
                ended(second, 11000, DutyRun.Outcome.SUCCEEDED), started(interrupted), started(rerun));
        assertThat(DutyCheck.violations(history)).isEmpty();
    }

    /** A run of epoch 5 that ended, then the next run of the same epoch: what is found. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            another node                   | b | 8000 | 8000 | 7000 | SUCCEEDED   | on b after
            before the last one ended      | a | 8000 | 8000 | 9000 | SUCCEEDED   | had not ended
            a completed slot again         | a | 4000 | 6000 | 5000 | SUCCEEDED   | slot 4000 run again
            a failed slot again            | a | 4000 | 6000 | 5000 | FAILED      | slot 4000 run again
            an interrupted slot again      | a | 4000 | 6000 | 5000 | INTERRUPTED |
            the next slot                  | a | 8000 | 8000 | 7000 | SUCCEEDED   |
            """)
    void shouldFindARunThatRanTwiceInItsEpoch(String what, String node, long slot, long start, long firstEnded,
                                              DutyRun.Outcome firstOutcome, String found) {
        DutyRun first = run("a", 5, 4000, 4000);
        DutyRun next = run(node, 5, slot, start);
        List<String> violations = DutyCheck.violations(List.of(started(first), ended(first, firstEnded, firstOutcome), started(next)));
        if (found == null) {
            assertThat(violations).as(what).isEmpty();
        } else {
            assertThat(violations).as(what).singleElement().asString().startsWith("chaos@5: ").contains(found);
        }
    }

    @Test
    void shouldFindARunStartedWhileTheLastHasNoRecordedEnd() {
        DutyRun a = run("a", 5, 4000, 4000);
        DutyRun b = run("a", 5, 8000, 8000);
        assertThat(DutyCheck.violations(List.of(started(a), started(b)))).singleElement().asString().contains("had not ended");
    }

    @Test
    void shouldFindTheRunInFlightOfAnEpoch() {
        DutyRun done = run("a", 1, 4000, 4000);
        DutyRun going = run("a", 1, 8000, 8000);
        List<HistoryRecord> history = List.of(started(done), ended(done, 7000, DutyRun.Outcome.SUCCEEDED), started(going));
        assertThat(DutyCheck.inFlight(history, 1)).contains(going);
        assertThat(DutyCheck.inFlight(history, 2)).isEmpty();
        assertThat(DutyCheck.inFlight(List.of(started(done), ended(done, 7000, DutyRun.Outcome.SUCCEEDED)), 1)).isEmpty();
    }
}
