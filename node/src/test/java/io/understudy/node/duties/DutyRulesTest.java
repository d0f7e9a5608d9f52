package io.understudy.node.duties;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.cluster.DutyRecord;
import io.understudy.cluster.DutyRun;
import io.understudy.node.duties.DutyRules.Standing;
import io.understudy.node.duties.DutyRules.Verdict;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DutyRulesTest {

    private static final long REGISTERED = 1_000_000;
    private static final long LAST_SLOT = 2_000_000;

    /**
     * The duty's record as a word: {@code none} (no record), {@code fresh} (registered, never run), {@code open}
     * (last run started in epoch 2 on b, no end recorded), or the outcome the last run ended with.
     */
    private static DutyRecord record(String last) {
        if (last.equals("none")) {
            return null;
        }
        DutyRecord fresh = new DutyRecord("backup", REGISTERED, null);
        if (last.equals("fresh")) {
            return fresh;
        }
        DutyRun run = DutyRun.started("backup", "b", 2, LAST_SLOT, LAST_SLOT + 10, "scheduled");
        return fresh.withLast(last.equals("open") ? run : run.ended(LAST_SLOT + 500, DutyRun.Outcome.valueOf(last), 0, "x"));
    }

    @ParameterizedTest(name = "primary={0} epoch={1} gate={2} last={3} slot={4} running={5} now={6} -> {7} {8}")
    @CsvSource({
            // only the primary of an epoch whose gate is open for that epoch runs anything
            "false, 0, 0, fresh,       2060000, false, 2060000, Idle,     ",
            "true,  3, 0, fresh,       2060000, false, 2060000, Idle,     ",
            "true,  3, 2, fresh,       2060000, false, 2060000, Idle,     ",
            "false, 0, 3, fresh,       2060000, false, 2060000, Idle,     ",
            "true,  0, 0, none,        2060000, false, 2060000, Idle,     ",
            // a duty never overlaps itself, even to re-run an interrupted run
            "true,  3, 3, fresh,       2060000, true,  2060000, Busy,     ",
            "true,  3, 3, open,        2060000, true,  2060000, Busy,     ",
            // first sight: registered, nothing owed before
            "true,  3, 3, none,        2060000, false, 2060000, Register, ",
            "true,  3, 3, fresh,        999000, false, 1000500, Wait,     ",
            "true,  3, 3, fresh,       1000000, false, 1000500, Wait,     ",
            "true,  3, 3, fresh,       1060000, false, 1060000, Start,    1060000",
            // after a run that ended by itself: the next slot, not the same one again, and no retry of a failure
            "true,  3, 3, SUCCEEDED,   2000000, false, 2030000, Wait,     ",
            "true,  3, 3, FAILED,      2000000, false, 2030000, Wait,     ",
            "true,  3, 3, TIMED_OUT,   2000000, false, 2030000, Wait,     ",
            "true,  3, 3, NOT_STARTED, 2000000, false, 2030000, Wait,     ",
            "true,  3, 3, SUCCEEDED,   2060000, false, 2060000, Start,    2060000",
            "true,  3, 3, FAILED,      2060000, false, 2060100, Start,    2060000",
            // slots missed while nobody could run them: one run, for the latest
            "true,  3, 3, SUCCEEDED,   2600000, false, 2630000, Start,    2600000",
            // interrupted (its node died, or stopped being primary, while it ran): the same slot again, at once
            "true,  3, 3, open,        2000000, false, 2000900, Start,    2000000",
            "true,  3, 3, open,        2600000, false, 2630000, Start,    2000000",
            "true,  3, 3, INTERRUPTED, 2600000, false, 2630000, Start,    2000000",
    })
    void shouldRunOnThePrimaryOnlyAndOwePerSlot(boolean primary, long epoch, long gate, String last, long lastSlot,
            boolean running, long now, String verdict, Long slot) {
        Verdict v = DutyRules.decide(new Standing(primary, epoch, gate), record(last), lastSlot, running, now);

        assertThat(v.getClass().getSimpleName()).isEqualTo(verdict);
        if (v instanceof Verdict.Start start) {
            assertThat(start.slotMs()).isEqualTo(slot);
            assertThat(start.rerun()).isEqualTo(last.equals("open") || last.equals("INTERRUPTED"));
        }
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "open        | 2000000 | 2000900 | re-run of backup-e2-b-2000010 (b@2), interrupted: no end recorded",
            "INTERRUPTED | 2600000 | 2630000 | re-run of backup-e2-b-2000010 (b@2), interrupted: x",
            "SUCCEEDED   | 2060000 | 2060200 | scheduled for 1970-01-01T00:34:20Z",
            "SUCCEEDED   | 2600000 | 2630000 | missed slot 1970-01-01T00:43:20Z (30 s ago), run once now",
    })
    void shouldSayWhyARunStarts(String last, long lastSlot, long now, String reason) {
        Verdict v = DutyRules.decide(new Standing(true, 3, 3), record(last), lastSlot, false, now);

        assertThat(v).isInstanceOfSatisfying(Verdict.Start.class, s -> assertThat(s.reason()).isEqualTo(reason));
    }

    @ParameterizedTest(name = "primary={0} epoch={1} gate={2}, run of epoch {3}: stop={4}")
    @CsvSource({
            "true,  3, 3, 3, false",
            // the lease ran out or the gate shut (ZooKeeper suspended): the successor may promote soon
            "true,  3, 0, 3, true",
            // demoted, or already primary of a newer epoch: a run fenced by an older epoch must not go on
            "false, 0, 0, 3, true",
            "true,  4, 4, 3, true",
            "true,  3, 4, 3, true",
    })
    void shouldStopARunAsSoonAsItsEpochIsNoLongerAdmitted(boolean primary, long epoch, long gate, long runEpoch,
            boolean stop) {
        assertThat(DutyRules.mustStop(new Standing(primary, epoch, gate), runEpoch)).isEqualTo(stop);
    }
}
