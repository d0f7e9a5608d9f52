package io.understudy.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.cluster.DutyRun;
import io.understudy.cluster.HistoryRecord;
import java.util.List;
import org.junit.jupiter.api.Test;

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

    @Test
    void shouldPassAnInterruptedRunOwedAgainInItsOwnEpoch() {
        DutyRun cut = run("a", 3, 4000, 4000);
        DutyRun again = run("a", 3, 4000, 6000);
        assertThat(DutyCheck.violations(List.of(started(cut), ended(cut, 5000, DutyRun.Outcome.INTERRUPTED), started(again))))
                .isEmpty();
    }

    @Test
    void shouldFindTwoNodesRunningInOneEpoch() {
        DutyRun a = run("a", 5, 4000, 4000);
        DutyRun b = run("b", 5, 8000, 8000);
        assertThat(DutyCheck.violations(List.of(started(a), ended(a, 7000, DutyRun.Outcome.SUCCEEDED), started(b))))
                .containsExactly("chaos@5: " + b.runId() + " on b after " + a.runId() + " on a");
    }

    @Test
    void shouldFindARunStartedWhileTheLastHadNotEnded() {
        DutyRun a = run("a", 5, 4000, 4000);
        DutyRun b = run("a", 5, 8000, 8000);
        assertThat(DutyCheck.violations(List.of(started(a), started(b)))).singleElement().asString().contains("had not ended");
        assertThat(DutyCheck.violations(List.of(started(a), ended(a, 9000, DutyRun.Outcome.SUCCEEDED), started(b))))
                .singleElement().asString().contains("had not ended");
    }

    @Test
    void shouldFindASlotRunAgainAfterItsRunCompleted() {
        DutyRun a = run("a", 5, 4000, 4000);
        DutyRun again = run("a", 5, 4000, 6000);
        assertThat(DutyCheck.violations(List.of(started(a), ended(a, 5000, DutyRun.Outcome.SUCCEEDED), started(again))))
                .containsExactly("chaos@5: slot 4000 run again by " + again.runId() + " after " + a.runId() + " ended SUCCEEDED");
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
