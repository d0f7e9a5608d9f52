package io.understudy.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HistoryCheckerTest {

    private static Op ack(long seq, long start, long end, long epoch, String node) {
        String id = "x" + seq;
        return Op.write(seq, 1, id, "k-" + id, body(id), false, start, end, 200, Op.ACKED, epoch, node, false);
    }

    private static Op failed(long seq, int status, String outcome, boolean createOnly) {
        String id = "x" + seq;
        return Op.write(seq, 1, id, "k-" + id, body(id), createOnly, 0, 1, status, outcome, -1, null, false);
    }

    private static String body(String id) {
        return "{\"id\":\"" + id + "\"}";
    }

    private static Stored stored(Op op) {
        return new Stored(Bodies.tag(op.body()), 1);
    }

    @Test
    void shouldPassWhenEveryAckIsOnEveryNodeOnceInOneEpochPerNode() {
        Op a = ack(1, 0, 10, 1, "a");
        Op b = ack(2, 20, 30, 2, "b");
        CheckReport report = HistoryChecker.check(List.of(a, b, failed(3, 0, "switch_down", false)),
                Map.of("a", Map.of("x1", stored(a), "x2", stored(b)), "b", Map.of("x1", stored(a), "x2", stored(b))));
        assertThat(report.violations()).isEmpty();
        assertThat(report.acked()).isEqualTo(2);
        assertThat(report.failures()).containsEntry("switch_down", 1L);
    }

    @Test
    void shouldReportAnAckMissingOnOneNode() {
        Op a = ack(1, 0, 10, 1, "a");
        CheckReport report = HistoryChecker.check(List.of(a), Map.of("a", Map.of("x1", stored(a)), "b", Map.of()));
        assertThat(report.lost()).containsEntry("b", List.of("x1"));
        assertThat(report.lostCount()).isEqualTo(1);
        assertThat(report.violations()).singleElement().asString().contains("node b lacks 1");
    }

    @Test
    void shouldReportAnAckHeldWithAnotherBody() {
        Op a = ack(1, 0, 10, 1, "a");
        CheckReport report = HistoryChecker.check(List.of(a), Map.of("a", Map.of("x1", new Stored(Bodies.tag("{}"), 1))));
        assertThat(report.wrongBody()).containsEntry("a", List.of("x1"));
    }

    @Test
    void shouldReportAWriteAppliedTwiceByItsVersion() {
        Op a = ack(1, 0, 10, 1, "a");
        CheckReport report = HistoryChecker.check(List.of(a), Map.of("a", Map.of("x1", new Stored(Bodies.tag(a.body()), 2))));
        assertThat(report.duplicates()).singleElement().asString().contains("version 2");
    }

    @Test
    void shouldReportACreateOnlyKeyedWriteAnswered412AsAppliedTwice() {
        CheckReport report = HistoryChecker.check(List.of(failed(1, 412, "412:precondition_failed", true)), Map.of("a", Map.of()));
        assertThat(report.duplicates()).singleElement().asString().contains("412");
    }

    @Test
    void shouldNotCountA412OfAPlainWriteAsADuplicate() {
        CheckReport report = HistoryChecker.check(List.of(failed(1, 412, "412:precondition_failed", false)), Map.of("a", Map.of()));
        assertThat(report.duplicates()).isEmpty();
    }

    @Test
    void shouldIgnoreReadsAndCountEveryFailedAttemptOfARetriedWrite() {
        Op first = failed(1, 503, "503:not_acknowledged", false);
        Op second = Op.write(1, 2, "x1", "k-x1", body("x1"), false, 2, 3, 200, Op.ACKED, 1, "a", true);
        Op read = new Op(Op.Kind.READ, 1, 1, "x1", null, body("x1"), false, 4, 5, 404, Op.MISSING, 1, "a", false);
        CheckReport report = HistoryChecker.check(List.of(first, second, read), Map.of("a", Map.of("x1", stored(second))));
        assertThat(report.violations()).isEmpty();
        assertThat(report.acked()).isEqualTo(1);
        assertThat(report.failures()).containsExactly(Map.entry("503:not_acknowledged", 1L));
    }

    @Test
    void shouldReportAnEpochServedByTwoNodes() {
        CheckReport report = HistoryChecker.check(List.of(ack(1, 0, 10, 3, "a"), ack(2, 0, 10, 3, "b")), Map.of());
        assertThat(report.epochConflicts()).containsOnlyKeys(3L);
        assertThat(report.epochConflicts().get(3L)).containsExactly("a", "b");
    }

    @Test
    void shouldReportAnAckInAnOldEpochSentAfterANewerEpochWasAcknowledged() {
        Op newer = ack(1, 0, 10, 2, "b");
        Op stale = ack(2, 11, 20, 1, "a");
        assertThat(HistoryChecker.staleAcks(List.of(newer, stale))).singleElement().asString().contains("x2");
    }

    @Test
    void shouldAcceptAnOldEpochAckThatOverlapsTheFirstAckOfTheNewEpoch() {
        Op newer = ack(1, 0, 10, 2, "b");
        Op overlapping = ack(2, 5, 20, 1, "a");
        assertThat(HistoryChecker.staleAcks(List.of(newer, overlapping))).isEmpty();
    }
}
