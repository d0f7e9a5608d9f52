package io.understudy.replicator.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.understudy.replicator.apply.Change;
import io.understudy.replicator.apply.TableName;
import io.understudy.replicator.capture.TransactionAssembler.Kind;
import io.understudy.replicator.capture.TransactionAssembler.Unit;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApplyGroupsTest {

    private static final Change ROW = Change.upsert(Change.Op.INSERT, TableName.parse("public.t"), Map.of("id", "1"));

    private static Unit<String> unit(Kind kind, int changes, long position) {
        return new Unit<>(kind, Collections.nCopies(changes, ROW), position, 0, true, position, List.of("r" + position));
    }

    private static List<List<Long>> positions(List<List<Unit<String>>> groups) {
        return groups.stream().map(g -> g.stream().map(Unit::position).toList()).toList();
    }

    @Test
    void shouldCommitConsecutiveTransactionsTogetherWithTheSkipsAndProgressBetweenThem() {
        List<Unit<String>> units = List.of(unit(Kind.TRANSACTION, 1, 10), unit(Kind.SKIP, 0, 11), unit(Kind.PROGRESS, 0, 12),
                unit(Kind.TRANSACTION, 2, 20));

        assertThat(positions(ApplyGroups.of(units, 100))).containsExactly(List.of(10L, 11L, 12L, 20L));
    }

    @Test
    void shouldKeepEverySnapshotUnitAlone() {
        List<Unit<String>> units = List.of(unit(Kind.TRANSACTION, 1, 10), unit(Kind.SNAPSHOT, 5, 15), unit(Kind.SNAPSHOT, 5, 16),
                unit(Kind.TRANSACTION, 1, 20));

        assertThat(positions(ApplyGroups.of(units, 100))).containsExactly(List.of(10L), List.of(15L), List.of(16L), List.of(20L));
    }

    @Test
    void shouldCloseAGroupOnceItReachesTheChangeLimitButNeverSplitATransaction() {
        List<Unit<String>> units = List.of(unit(Kind.TRANSACTION, 3, 10), unit(Kind.TRANSACTION, 3, 20), unit(Kind.TRANSACTION, 7, 30),
                unit(Kind.TRANSACTION, 1, 40));

        assertThat(positions(ApplyGroups.of(units, 5))).containsExactly(List.of(10L, 20L), List.of(30L), List.of(40L));
    }

    @Test
    void shouldCommitATransactionThatChangesTheSchemaBeforeAnyLaterOne() {
        Change ddl = Change.upsert(Change.Op.INSERT, TableName.parse("understudy.ddl_log"), Map.of("id", "7"));
        Unit<String> migration = new Unit<>(Kind.TRANSACTION, List.of(ROW, ddl, ROW), 20, 0, true, 20, List.of("r20"));
        List<Unit<String>> units = List.of(unit(Kind.TRANSACTION, 1, 10), migration, unit(Kind.PROGRESS, 0, 25),
                unit(Kind.TRANSACTION, 1, 30));

        assertThat(positions(ApplyGroups.of(units, 100))).containsExactly(List.of(10L, 20L), List.of(25L, 30L));
    }

    @Test
    void shouldReturnNoGroupForNoUnits() {
        assertThat(ApplyGroups.<String>of(List.of(), 10)).isEmpty();
    }

    @Test
    void shouldRejectANonPositiveLimit() {
        assertThatThrownBy(() -> ApplyGroups.of(List.of(), 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
