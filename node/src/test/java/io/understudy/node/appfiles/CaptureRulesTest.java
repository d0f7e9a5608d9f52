package io.understudy.node.appfiles;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.node.appfiles.CaptureRules.Capture;
import io.understudy.node.appfiles.CaptureRules.Delete;
import io.understudy.node.appfiles.CaptureRules.Known;
import io.understudy.node.appfiles.CaptureRules.Unchanged;
import io.understudy.node.appfiles.CaptureRules.Unsupported;
import io.understudy.node.appfiles.CaptureRules.Verdict;
import io.understudy.node.appfiles.CaptureRules.Wait;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link CaptureRules}: when a path of the files directory is captured, waited for, deleted or skipped. */
class CaptureRulesTest {

    private static final long NOW = 1_000_000;
    private static final long QUIET = 500;
    private static final long MAX_WAIT = 10_000;
    private static final Known KNOWN = new Known(100, NOW - 60_000);

    /** One row of the table: the inputs, and the verdict expected. */
    private record Case(String why, Known known, DiskState disk, boolean flush, long lastEventMs, long firstSeenMs, Verdict expected) {
    }

    @Test
    void shouldDecideEachCaseOfTheTable() {
        List<Case> table = List.of(
                new Case("absent and never captured", null, DiskState.ABSENT, false, NOW, NOW, new Unchanged()),
                new Case("captured, now gone", KNOWN, DiskState.ABSENT, false, NOW, NOW, new Delete()),
                new Case("captured, gone, during a flush", KNOWN, DiskState.ABSENT, true, NOW, NOW, new Delete()),
                new Case("as captured", KNOWN, DiskState.file(100, NOW - 60_000), false, NOW, NOW, new Unchanged()),
                new Case("as captured, flush", KNOWN, DiskState.file(100, NOW - 60_000), true, NOW, NOW, new Unchanged()),
                new Case("new, quiet for long", null, DiskState.file(5, NOW - 2000), false, NOW - 2000, NOW - 2000, new Capture()),
                new Case("new, quiet exactly the period", null, DiskState.file(5, NOW - QUIET), false, 0, NOW, new Capture()),
                new Case("new, written just now", null, DiskState.file(5, NOW - 100), false, NOW - 100, NOW - 100,
                        new Wait(NOW - 100 + QUIET)),
                new Case("old mtime but an event just now", null, DiskState.file(5, NOW - 60_000), false, NOW - 10, NOW - 10,
                        new Wait(NOW - 10 + QUIET)),
                new Case("written just now, flush", null, DiskState.file(5, NOW - 100), true, NOW - 100, NOW - 100, new Capture()),
                new Case("size changed, not quiet", KNOWN, DiskState.file(101, NOW - 50), false, NOW - 50, NOW - 50,
                        new Wait(NOW - 50 + QUIET)),
                new Case("mtime changed only (touch), quiet", KNOWN, DiskState.file(100, NOW - 5000), false, 0, NOW, new Capture()),
                new Case("never quiet, waited the maximum", KNOWN, DiskState.file(300, NOW - 10), false, NOW - 10, NOW - MAX_WAIT,
                        new Capture()),
                new Case("never quiet, waited less than the maximum", KNOWN, DiskState.file(300, NOW - 10), false, NOW - 10,
                        NOW - MAX_WAIT + 1, new Wait(NOW - 10 + QUIET)),
                new Case("mtime in the future: only the event counts", null, DiskState.file(5, NOW + 3_600_000), false, NOW - 600,
                        NOW - 600, new Capture()),
                new Case("mtime in the future, event just now", null, DiskState.file(5, NOW + 3_600_000), false, NOW - 100,
                        NOW - 100, new Wait(NOW - 100 + QUIET)),
                new Case("a symbolic link, never captured", null, new DiskState.Other(DiskState.Kind.SYMBOLIC_LINK), false, NOW,
                        NOW, new Unsupported(DiskState.Kind.SYMBOLIC_LINK)),
                new Case("a pipe, never captured", null, new DiskState.Other(DiskState.Kind.SPECIAL), true, NOW, NOW,
                        new Unsupported(DiskState.Kind.SPECIAL)),
                new Case("a captured file replaced by a link", KNOWN, new DiskState.Other(DiskState.Kind.SYMBOLIC_LINK), false,
                        NOW, NOW, new Delete()),
                new Case("a captured file replaced by a directory", KNOWN, new DiskState.Other(DiskState.Kind.DIRECTORY), false,
                        NOW, NOW, new Delete()));
        for (Case c : table) {
            assertThat(CaptureRules.decide(c.known(), c.disk(), c.flush(), NOW, c.lastEventMs(), c.firstSeenMs(), QUIET, MAX_WAIT))
                    .as(c.why()).isEqualTo(c.expected());
        }
    }

    @Test
    void shouldNotLetAScanOfAnEmptiedDirectoryDeleteRecordedFiles() {
        assertThat(CaptureRules.scanMayDelete(0, 12)).as("empty directory, 12 recorded: unmounted?").isFalse();
        assertThat(CaptureRules.scanMayDelete(1, 12)).as("one file left").isTrue();
        assertThat(CaptureRules.scanMayDelete(0, 0)).as("nothing recorded").isTrue();
        assertThat(CaptureRules.scanMayDelete(7, 0)).isTrue();
    }
}
