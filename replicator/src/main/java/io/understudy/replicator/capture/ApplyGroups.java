package io.understudy.replicator.capture;

import java.util.ArrayList;
import java.util.List;

/**
 * Pure grouping of consecutive units into local transactions. Under load one engine batch holds many complete
 * source transactions; committing each alone costs one WAL flush on the target per source transaction, which caps
 * throughput at the disk's flush rate. Consecutive {@link TransactionAssembler.Kind#TRANSACTION} units (with the
 * SKIP and PROGRESS units between them) are therefore committed together: every source transaction in a group is
 * still visible all or nothing, several merely become visible at the same instant, and the stored position is the
 * group's last. Snapshot units always stay alone.
 *
 * <p>A transaction that changes the schema (it carries a row of the DDL log) closes its group: what it changes is then
 * committed before any later source transaction is applied, as on the source. PostgreSQL needs that for some changes
 * (an enum value added by {@code ALTER TYPE ... ADD VALUE} cannot be used in the transaction that added it), and the
 * changes within and around it keep their stream order in any case.
 */
public final class ApplyGroups {

    private ApplyGroups() {
    }

    /**
     * @param maxChanges a group is closed once it holds at least this many row changes (bounds the local transaction)
     */
    public static <R> List<List<TransactionAssembler.Unit<R>>> of(List<TransactionAssembler.Unit<R>> units, int maxChanges) {
        if (maxChanges < 1) {
            throw new IllegalArgumentException("maxChanges must be >= 1, got " + maxChanges);
        }
        List<List<TransactionAssembler.Unit<R>>> groups = new ArrayList<>();
        List<TransactionAssembler.Unit<R>> open = new ArrayList<>();
        int changes = 0;
        for (TransactionAssembler.Unit<R> unit : units) {
            if (unit.kind() == TransactionAssembler.Kind.SNAPSHOT) {
                close(groups, open);
                changes = 0;
                groups.add(List.of(unit));
                continue;
            }
            open.add(unit);
            changes += unit.changes().size();
            if (changes >= maxChanges || unit.changes().stream().anyMatch(io.understudy.replicator.apply.Change::changesSchema)) {
                close(groups, open);
                changes = 0;
            }
        }
        close(groups, open);
        return groups;
    }

    private static <R> void close(List<List<TransactionAssembler.Unit<R>>> groups, List<TransactionAssembler.Unit<R>> open) {
        if (!open.isEmpty()) {
            groups.add(List.copyOf(open));
            open.clear();
        }
    }
}
