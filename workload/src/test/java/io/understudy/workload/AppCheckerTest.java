package io.understudy.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class AppCheckerTest {

    private static final String PREFIX = "run-";
    private static final AppWrites WRITES = new AppWrites();

    /** Write {@code seq} (odd: a row, even: a file) acknowledged by {@code node} in {@code epoch}. */
    private static Op ack(long seq, long epoch, String node) {
        String id = Writers.idOf(PREFIX, seq) + "-w0";
        return Op.write(seq, 1, id, "k-" + id, WRITES.body(seq, 0, id), false, seq * 10, seq * 10 + 5, 201, Op.ACKED, epoch,
                node, false);
    }

    private static Op failed(long seq) {
        String id = Writers.idOf(PREFIX, seq) + "-w0";
        return Op.write(seq, 1, id, "k-" + id, WRITES.body(seq, 0, id), false, 0, 1, 503, "503:not_acknowledged", -1, null, false);
    }

    /** What a node holds when it has exactly these writes, row {@code seq} under id {@code seq * 100}. */
    private static AppChecker.Holdings holding(Op... ops) {
        Map<String, List<Long>> rows = new HashMap<>();
        Map<String, String> files = new HashMap<>();
        for (Op op : ops) {
            if (AppWrites.isFile(op.seq())) {
                files.put(AppWrites.fileName(op.id()), Bodies.tag(op.body()));
            } else {
                rows.put(op.body(), List.of(op.seq() * 100));
            }
        }
        return new AppChecker.Holdings(rows, files);
    }

    private static Map<String, Set<Long>> answered(Op... rows) {
        Map<String, Set<Long>> out = new HashMap<>();
        for (Op op : rows) {
            out.put(op.id(), Set.of(op.seq() * 100));
        }
        return out;
    }

    private static CheckReport check(List<Op> ops, Map<String, Set<Long>> answered, Map<String, AppChecker.Holdings> nodes) {
        return AppChecker.check(ops, answered, nodes, PREFIX, 100);
    }

    @Test
    void shouldPassWhenEveryAcknowledgedRowAndFileIsOnEveryNodeOnce() {
        Op row = ack(1, 1, "a");
        Op file = ack(2, 2, "b");
        CheckReport report = check(List.of(row, file, failed(3)), answered(row),
                Map.of("a", holding(row, file), "b", holding(row, file)));
        assertThat(report.violations()).isEmpty();
        assertThat(report.acked()).isEqualTo(2);
        assertThat(report.failures()).containsEntry("503:not_acknowledged", 1L);
    }

    @Test
    void shouldFindLostRowsAndFilesPerNode() {
        Op row = ack(1, 1, "a");
        Op file = ack(2, 1, "a");
        CheckReport report = check(List.of(row, file), answered(row), Map.of("a", holding(row, file), "b", holding()));
        assertThat(report.lost()).containsEntry("b", List.of(row.id(), file.id())).containsEntry("a", List.of());
        assertThat(report.lostCount()).isEqualTo(2);
    }

    @Test
    void shouldFindARowAppliedTwiceOrAnsweredWithTwoIds() {
        Op row = ack(1, 1, "a");
        AppChecker.Holdings twice = new AppChecker.Holdings(Map.of(row.body(), List.of(100L, 1100L)), Map.of());
        assertThat(check(List.of(row), Map.of(row.id(), new TreeSet<>(List.of(100L, 1100L))), Map.of("a", twice)).duplicates())
                .containsExactly(row.id() + " (answered with ids [100, 1100])", row.id() + " (rows [100, 1100] on a)");
        Op unacknowledged = failed(3);
        AppChecker.Holdings twiceUnacked = new AppChecker.Holdings(Map.of(unacknowledged.body(), List.of(300L, 301L)), Map.of());
        assertThat(check(List.of(unacknowledged), Map.of(), Map.of("a", twiceUnacked)).duplicates()).hasSize(1);
    }

    @Test
    void shouldFindAnIdHandedToTwoAcknowledgedWrites() {
        Op first = ack(1, 1, "a");
        Op second = ack(3, 2, "b");
        Map<String, Set<Long>> sameId = Map.of(first.id(), Set.of(100L), second.id(), Set.of(100L));
        CheckReport report = check(List.of(first, second), sameId, Map.of());
        assertThat(report.duplicateIds()).containsExactly("id 100 answered to [" + first.id() + ", " + second.id() + "]");
        assertThat(report.violations()).anyMatch(v -> v.contains("ids handed to more than one acknowledged write"));
    }

    @Test
    void shouldFindARowUnderAnotherIdThanAnswered() {
        Op row = ack(1, 1, "a");
        CheckReport report = check(List.of(row), Map.of(row.id(), Set.of(7L)), Map.of("b", holding(row)));
        assertThat(report.wrongBody()).containsEntry("b", List.of(row.id() + " (row id [100], answered [7])"));
    }

    @Test
    void shouldCallEveryFileThatIsNotAWholeFileOfTheRunHalfExceptWritesInFlight() {
        Op file = ack(2, 1, "a");
        String name = AppWrites.fileName(file.id());
        String inFlight = AppWrites.fileName(Writers.idOf(PREFIX, 100) + "-w1");
        Map<String, String> files = Map.of(name, Bodies.tag(file.body()),
                name + ".tmp", Bodies.tag(file.body()),
                ".understudy-tmp-12ab", "00",
                AppWrites.fileName(Writers.idOf(PREFIX, 4) + "-w1"), Bodies.tag("the first bytes only"),
                inFlight, Bodies.tag("half written"));
        CheckReport report = check(List.of(file), Map.of(), Map.of("a", new AppChecker.Holdings(Map.of(), files)));
        assertThat(report.halfFiles()).containsEntry("a", List.of(".understudy-tmp-12ab", name + ".tmp",
                AppWrites.fileName(Writers.idOf(PREFIX, 4) + "-w1")));
        assertThat(report.lost().get("a")).isEmpty();
        assertThat(report.halfFileCount()).isEqualTo(3);
    }

    @Test
    void shouldTellAFileWithOtherContentFromAMissingOne() {
        Op file = ack(2, 1, "a");
        AppChecker.Holdings other = new AppChecker.Holdings(Map.of(), Map.of(AppWrites.fileName(file.id()), Bodies.tag("x")));
        CheckReport report = check(List.of(file), Map.of(), Map.of("a", other));
        assertThat(report.wrongBody()).containsEntry("a", List.of(file.id() + " (other content)"));
        assertThat(report.lost()).containsEntry("a", List.of());
    }

    @Test
    void shouldFindTwoNodesServingOneEpoch() {
        Op a = ack(1, 3, "a");
        Op b = ack(2, 3, "b");
        assertThat(check(List.of(a, b), answered(a), Map.of()).epochConflicts()).containsEntry(3L, Set.of("a", "b"));
    }

    @Test
    void shouldDeriveEachFilesContentFromItsNameAlone() {
        String small = AppWrites.fileContent("run-000000002-w0.bin");
        assertThat(small).startsWith("run-000000002-w0.bin\n").hasSizeBetween(256, 256 + 2048);
        assertThat(AppWrites.fileContent("run-000000002-w0.bin")).isEqualTo(small);
        assertThat(AppWrites.seqOf(PREFIX, "run-000000042-w3.bin")).contains(42L);
        assertThat(AppWrites.seqOf(PREFIX, "row run-000000041-w3")).contains(41L);
        assertThat(AppWrites.seqOf(PREFIX, ".understudy-tmp-1")).isEmpty();
    }
}
