package io.understudy.replicator.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.understudy.replicator.apply.Change;
import io.understudy.replicator.apply.TableName;
import io.understudy.replicator.capture.TransactionAssembler.Item;
import io.understudy.replicator.capture.TransactionAssembler.Kind;
import io.understudy.replicator.capture.TransactionAssembler.Unit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TransactionAssemblerTest {

    private static final TableName T = TableName.parse("public.t");
    private static final Change ROW = Change.upsert(Change.Op.INSERT, T, Map.of("id", "1"));

    /** Items named by a string, so acknowledgements are easy to read. */
    private static List<Item<String>> items(Object... pairs) {
        List<Item<String>> out = new ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            out.add(new Item<>((CaptureEvent) pairs[i], (String) pairs[i + 1]));
        }
        return out;
    }

    private static CaptureEvent begin(String tx) {
        return new CaptureEvent.Begin(tx);
    }

    private static CaptureEvent data(String tx) {
        return new CaptureEvent.Data(tx, ROW);
    }

    private static CaptureEvent end(String tx, long position) {
        return new CaptureEvent.End(tx, position, 1000 + position);
    }

    private static CaptureEvent heartbeat(long position) {
        return new CaptureEvent.Progress(position, true);
    }

    @Test
    void shouldReleaseATransactionAtItsEndEventWithItsCommitPosition() {
        TransactionAssembler<String> a = new TransactionAssembler<>(100, true);

        List<Unit<String>> units = a.accept(items(begin("7"), "b", data("7"), "d1", data("7"), "d2", end("7", 200), "e"));

        assertThat(units).singleElement().satisfies(u -> {
            assertThat(u.kind()).isEqualTo(Kind.TRANSACTION);
            assertThat(u.changes()).hasSize(2);
            assertThat(u.position()).isEqualTo(200);
            assertThat(u.commitTsMs()).isEqualTo(1200);
            assertThat(u.progress()).isEqualTo(200);
            assertThat(u.acks()).containsExactly("b", "d1", "d2", "e");
        });
        assertThat(a.appliedPosition()).isEqualTo(200);
    }

    @Test
    void shouldHoldATransactionSplitAcrossBatchesUntilItsEnd() {
        TransactionAssembler<String> a = new TransactionAssembler<>(100, true);

        assertThat(a.accept(items(begin("7"), "b", data("7"), "d1", heartbeat(150), "hb"))).isEmpty();
        assertThat(a.inTransaction()).isTrue();
        List<Unit<String>> units = a.accept(items(data("7"), "d2", end("7", 200), "e"));

        assertThat(units).singleElement().satisfies(u -> assertThat(u.acks()).containsExactly("b", "d1", "hb", "d2", "e"));
    }

    @Test
    void shouldSkipARedeliveredTransactionAtOrBelowTheAppliedPosition() {
        TransactionAssembler<String> a = new TransactionAssembler<>(200, true);

        List<Unit<String>> units = a.accept(items(begin("6"), "b6", data("6"), "d6", end("6", 150), "e6",
                begin("7"), "b7", end("7", 200), "e7", begin("8"), "b8", data("8"), "d8", end("8", 250), "e8"));

        assertThat(units).extracting(Unit::kind).containsExactly(Kind.SKIP, Kind.SKIP, Kind.TRANSACTION);
        assertThat(units.get(0).changes()).isEmpty();
        assertThat(units.get(2).position()).isEqualTo(250);
        assertThat(units.stream().flatMap(u -> u.acks().stream())).containsExactly("b6", "d6", "e6", "b7", "e7", "b8", "d8", "e8");
    }

    @Test
    void shouldGroupSnapshotRowsAndCompleteAtTheLastRow() {
        TransactionAssembler<String> a = new TransactionAssembler<>(0, false);
        CaptureEvent row = new CaptureEvent.SnapshotRow(Change.upsert(Change.Op.READ, T, Map.of("id", "1")), 90, false);
        CaptureEvent last = new CaptureEvent.SnapshotRow(Change.upsert(Change.Op.READ, T, Map.of("id", "2")), 90, true);

        List<Unit<String>> first = a.accept(items(row, "r1", row, "r2"));
        List<Unit<String>> second = a.accept(items(last, "r3", begin("9"), "b", end("9", 120), "e"));

        assertThat(first).singleElement().satisfies(u -> {
            assertThat(u.kind()).isEqualTo(Kind.SNAPSHOT);
            assertThat(u.changes()).hasSize(2);
            assertThat(u.snapshotComplete()).isFalse();
            assertThat(u.position()).isEqualTo(90);
        });
        assertThat(second).extracting(Unit::kind).containsExactly(Kind.SNAPSHOT, Kind.TRANSACTION);
        assertThat(second.get(0).snapshotComplete()).isTrue();
        assertThat(second.get(0).acks()).containsExactly("r3");
    }

    @Test
    void shouldCompleteAnEmptySnapshotWhenStreamingShowsItEnded() {
        TransactionAssembler<String> a = new TransactionAssembler<>(0, false);

        List<Unit<String>> units = a.accept(items(new CaptureEvent.Progress(80, false), "hb-snap", heartbeat(90), "hb"));

        assertThat(units).extracting(Unit::kind).containsExactly(Kind.PROGRESS, Kind.SNAPSHOT, Kind.PROGRESS);
        assertThat(units.get(1).snapshotComplete()).isTrue();
        assertThat(units.get(1).position()).isEqualTo(90);
        assertThat(a.snapshotComplete()).isTrue();
    }

    @Test
    void shouldNotAcknowledgeABeginTogetherWithTheSnapshotCompletion() {
        TransactionAssembler<String> a = new TransactionAssembler<>(0, false);

        List<Unit<String>> units = a.accept(items(begin("9"), "b", data("9"), "d", end("9", 120), "e"));

        assertThat(units).extracting(Unit::kind).containsExactly(Kind.SNAPSHOT, Kind.TRANSACTION);
        assertThat(units.get(0).acks()).isEmpty();
        assertThat(units.get(1).acks()).containsExactly("b", "d", "e");
    }

    @Test
    void shouldReportProgressOutsideTransactionsOnly() {
        TransactionAssembler<String> a = new TransactionAssembler<>(100, true);

        List<Unit<String>> units = a.accept(items(heartbeat(110), "hb1", new CaptureEvent.Ignored("tombstone"), "t",
                begin("7"), "b", heartbeat(120), "hb2", end("7", 130), "e"));

        assertThat(units).extracting(Unit::kind).containsExactly(Kind.PROGRESS, Kind.PROGRESS, Kind.TRANSACTION);
        assertThat(units).extracting(Unit::progress).containsExactly(110L, 0L, 130L);
    }

    @Test
    void shouldRejectBrokenTransactionFraming() {
        assertThatThrownBy(() -> new TransactionAssembler<String>(0, true).accept(items(data("7"), "d")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("outside its BEGIN/END");
        assertThatThrownBy(() -> new TransactionAssembler<String>(0, true).accept(items(begin("7"), "b", begin("8"), "b2")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("while transaction 7 is open");
        assertThatThrownBy(() -> new TransactionAssembler<String>(0, true).accept(items(begin("7"), "b", end("8", 5), "e")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("END of transaction 8");
    }
}
