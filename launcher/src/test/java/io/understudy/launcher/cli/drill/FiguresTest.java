package io.understudy.launcher.cli.drill;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.workload.Op;
import java.util.List;
import org.junit.jupiter.api.Test;

class FiguresTest {

    static final long MS = 1_000_000;

    static Op write(long seq, int attempt, long startMs, long endMs, int status, long epoch, boolean replayed) {
        String outcome = status / 100 == 2 ? Op.ACKED : status == 0 ? "io" : status + ":no_primary";
        return Op.write(seq, attempt, "x" + seq, "k" + seq, "{}", false, startMs * MS, endMs * MS, status, outcome, epoch, "a",
                replayed);
    }

    static Op read(long seq, long startMs, long endMs, String outcome) {
        return new Op(Op.Kind.READ, seq, 1, "x" + seq, null, "{}", false, startMs * MS, endMs * MS,
                Op.ACKED.equals(outcome) ? 200 : Op.MISSING.equals(outcome) ? 404 : 0, outcome, 1, "a", false);
    }

    @Test
    void shouldCountWritesByTheirFinalOutcomeAndEveryFailedRequest() {
        List<Op> ops = List.of(
                write(1, 1, 0, 10, 201, 1, false),
                write(2, 1, 20, 30, 201, 1, false),
                read(1, 30, 35, Op.ACKED),
                write(3, 1, 40, 2040, 503, -1, false),
                write(3, 2, 2140, 2200, 201, 2, true),
                write(4, 1, 2100, 2150, 0, -1, false),
                read(2, 2200, 2210, Op.MISSING),
                read(1, 2300, 2310, "io"));

        Figures f = Figures.of(ops, 0, 35 * MS, 3000 * MS, 200 * MS);

        assertThat(f.rtoMs()).isEqualTo(2170);
        assertThat(f.rtoFromMs()).isEqualTo(30);
        assertThat(f.rtoToMs()).isEqualTo(2200);
        assertThat(f.writes()).isEqualTo(4);
        assertThat(f.acknowledgedWrites()).isEqualTo(3);
        assertThat(f.unacknowledgedWrites()).isEqualTo(1);
        assertThat(f.writeAttempts()).isEqualTo(5);
        assertThat(f.failedWriteAttempts()).isEqualTo(2);
        assertThat(f.retriedWrites()).isEqualTo(1);
        assertThat(f.replayedWrites()).isEqualTo(1);
        assertThat(f.reads()).isEqualTo(3);
        assertThat(f.okReads()).isEqualTo(1);
        assertThat(f.missingReads()).isEqualTo(1);
        assertThat(f.failedReads()).isEqualTo(1);
        assertThat(f.failedRequests()).isEqualTo(4);
        assertThat(f.heldRequests()).isZero();
        assertThat(f.maxLatencyMs()).isEqualTo(60);
    }

    @Test
    void shouldCountASlowSuccessAsHeld() {
        Figures f = Figures.of(List.of(write(1, 1, 0, 1900, 201, 2, false)), 0, 100 * MS, 2000 * MS, 200 * MS);
        assertThat(f.heldRequests()).isEqualTo(1);
        assertThat(f.maxLatencyMs()).isEqualTo(1900);
        assertThat(f.rtoMs()).as("from the fault, nothing having been acknowledged before it").isEqualTo(1800);
    }

    @Test
    void shouldNotCountTheLoadsSlowStartAsTheGap() {
        Figures f = Figures.of(List.of(write(1, 1, 0, 2500, 201, 1, false), write(2, 1, 2500, 2600, 201, 1, false),
                write(3, 1, 2600, 3400, 201, 2, false)), 0, 2700 * MS, 3500 * MS, 200 * MS);
        assertThat(f.rtoMs()).isEqualTo(800);
        assertThat(f.rtoFromMs()).isEqualTo(2600);
    }
}
