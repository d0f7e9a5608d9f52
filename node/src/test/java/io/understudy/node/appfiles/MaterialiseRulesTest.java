package io.understudy.node.appfiles;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.node.appfiles.MaterialiseRules.Forget;
import io.understudy.node.appfiles.MaterialiseRules.Keep;
import io.understudy.node.appfiles.MaterialiseRules.Local;
import io.understudy.node.appfiles.MaterialiseRules.Plan;
import io.understudy.node.appfiles.MaterialiseRules.Quarantine;
import io.understudy.node.appfiles.MaterialiseRules.Remove;
import io.understudy.node.appfiles.MaterialiseRules.Row;
import io.understudy.node.appfiles.MaterialiseRules.Verify;
import io.understudy.node.appfiles.MaterialiseRules.Write;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link MaterialiseRules}: how a secondary brings one path in line with the replicated table. */
class MaterialiseRulesTest {

    private static final Row V2 = new Row(2, false, 200, 2000, "sha-2");
    private static final Row TOMBSTONE = new Row(3, true, 0, 3000, null);
    private static final Local HAS_V1 = new Local(1, 100, 1000, "sha-1");
    private static final Local HAS_V2 = new Local(2, 200, 2000, "sha-2");
    private static final DiskState V1_ON_DISK = DiskState.file(100, 1000);
    private static final DiskState V2_ON_DISK = DiskState.file(200, 2000);
    private static final DiskState STRANGER = DiskState.file(123, 4567);
    private static final DiskState DIRECTORY = new DiskState.Other(DiskState.Kind.DIRECTORY);
    private static final DiskState LINK = new DiskState.Other(DiskState.Kind.SYMBOLIC_LINK);

    private record Case(String why, Row row, Local local, DiskState disk, boolean complete, Plan expected) {
    }

    @Test
    void shouldPlanEachCaseOfTheTable() {
        List<Case> table = List.of(
                new Case("new version, nothing here", V2, null, DiskState.ABSENT, true, new Write(false)),
                new Case("new version, our old one here", V2, HAS_V1, V1_ON_DISK, true, new Write(false)),
                new Case("up to date", V2, HAS_V2, V2_ON_DISK, true, new Keep()),
                new Case("up to date during a fresh copy", V2, HAS_V2, V2_ON_DISK, false, new Keep()),
                new Case("recorded, but the file was deleted by hand", V2, HAS_V2, DiskState.ABSENT, true, new Write(false)),
                new Case("recorded, but someone changed the file", V2, HAS_V2, STRANGER, true, new Write(true)),
                new Case("renamed into place, crashed before the record", V2, HAS_V1, V2_ON_DISK, true, new Verify()),
                new Case("a copy made by hand, no record", V2, null, V2_ON_DISK, true, new Verify()),
                new Case("someone else's file in the way", V2, null, STRANGER, true, new Write(true)),
                new Case("someone else's file, our record of an older one", V2, HAS_V1, STRANGER, true, new Write(true)),
                new Case("a link in the way", V2, null, LINK, true, new Write(true)),
                new Case("a directory in the way", V2, null, DIRECTORY, true, new Write(true)),
                new Case("deleted on the primary, ours here", TOMBSTONE, HAS_V2, V2_ON_DISK, true, new Remove()),
                new Case("deleted, already gone here", TOMBSTONE, HAS_V2, DiskState.ABSENT, true, new Forget()),
                new Case("deleted, never here", TOMBSTONE, null, DiskState.ABSENT, true, new Keep()),
                new Case("deleted, but a file nobody replicated is there", TOMBSTONE, null, STRANGER, true, new Quarantine()),
                new Case("deleted, ours but changed by someone", TOMBSTONE, HAS_V2, STRANGER, true, new Quarantine()),
                new Case("deleted, a directory of other files now", TOMBSTONE, null, DIRECTORY, true, new Keep()),
                new Case("no row (tombstone pruned), ours here", null, HAS_V1, V1_ON_DISK, true, new Remove()),
                new Case("no row during a fresh copy: cannot tell", null, HAS_V1, V1_ON_DISK, false, new Keep()),
                new Case("no row, no record, a stranger's file", null, null, STRANGER, true, new Quarantine()),
                new Case("no row, no record, during a fresh copy", null, null, STRANGER, false, new Keep()),
                new Case("no row, our record, file gone", null, HAS_V1, DiskState.ABSENT, true, new Forget()));
        for (Case c : table) {
            assertThat(MaterialiseRules.plan(c.row(), c.local(), c.disk(), c.complete())).as(c.why()).isEqualTo(c.expected());
        }
    }
}
