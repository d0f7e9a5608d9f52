package io.understudy.node.duties;

import io.understudy.cluster.DutyRecord;
import io.understudy.cluster.DutyRun;
import java.time.Instant;

/**
 * When a primary-only duty runs, and when a run must be stopped. Pure: the duty runner takes a snapshot (the
 * node's {@link Standing}, the duty's record from ZooKeeper, the latest cron slot, whether a run of it is going on
 * here) and carries out the verdict.
 *
 * <p>Rules, in order:
 * <ol>
 *   <li>Only a node that is PRIMARY of an epoch with its write gate open for that same epoch (so its ZooKeeper
 *       lease is fresh) starts anything ({@link Verdict.Idle} otherwise), and a run going on here is stopped as
 *       soon as that stops being true ({@link #mustStop}).</li>
 *   <li>A duty never overlaps itself: while a run goes on here, nothing starts ({@link Verdict.Busy}).</li>
 *   <li>A duty with no record yet is registered; slots before that are not owed ({@link Verdict.Register}).</li>
 *   <li>A last run with no recorded end, or one that ended {@code INTERRUPTED}, is run again now for the same slot:
 *       its node died, lost the primary role or stopped while it ran.</li>
 *   <li>Otherwise the latest slot, if later than both the registration and the last run's slot, starts a run: on
 *       time, or once however many slots were missed while no node could run it (no primary, a run still going
 *       on, a failover).</li>
 * </ol>
 * Runs are at least once: a run whose node died after its process finished but before its end was recorded is
 * run again. The runner records a start in ZooKeeper before the process starts, in one transaction with a check
 * that {@code /primary} still names this node in this epoch (docs/duties.md has the whole argument).
 */
public final class DutyRules {

    /** A slot started this much after its time is reported as missed rather than on time. */
    static final long LATE_MS = 5000;

    private DutyRules() {
    }

    /**
     * Where the node stands for duties.
     *
     * @param primary   its role is PRIMARY
     * @param epoch     the epoch it holds as primary (0 if none)
     * @param gateEpoch the epoch its write gate admits writes for now, 0 when shut or the lease ran out
     */
    public record Standing(boolean primary, long epoch, long gateEpoch) {

        public boolean mayRun() {
            return primary && epoch > 0 && gateEpoch == epoch;
        }

        String whyNot() {
            if (!primary) {
                return "not primary";
            }
            return gateEpoch == 0 ? "write gate shut or ZooKeeper lease expired" : "gate open for epoch " + gateEpoch
                    + ", not " + epoch;
        }
    }

    /** What to do about one duty now. */
    public sealed interface Verdict {
        /** This node may not run duties now. */
        record Idle(String reason) implements Verdict {
        }

        /** A run of this duty goes on here. */
        record Busy() implements Verdict {
        }

        /** First sight of the duty in this cluster: record it, run nothing yet. */
        record Register() implements Verdict {
        }

        /** Start a run for {@code slotMs}. */
        record Start(long slotMs, boolean rerun, String reason) implements Verdict {
        }

        /** Nothing is due. */
        record Wait() implements Verdict {
        }
    }

    /**
     * @param record     the duty's record in ZooKeeper, null if it has none
     * @param lastSlotMs the latest slot of its schedule at or before {@code nowMs}, -1 if none
     * @param runningHere a run of this duty goes on on this node
     */
    public static Verdict decide(Standing standing, DutyRecord record, long lastSlotMs, boolean runningHere, long nowMs) {
        if (!standing.mayRun()) {
            return new Verdict.Idle(standing.whyNot());
        }
        if (runningHere) {
            return new Verdict.Busy();
        }
        if (record == null) {
            return new Verdict.Register();
        }
        DutyRun last = record.last();
        if (last != null && (last.open() || last.outcome() == DutyRun.Outcome.INTERRUPTED)) {
            String how = last.open() ? "no end recorded" : last.reason();
            return new Verdict.Start(last.slotMs(), true, "re-run of " + last.runId() + " (" + last.nodeId() + "@"
                    + last.epoch() + "), interrupted: " + how);
        }
        long owedAfter = Math.max(record.registeredAtMs(), last == null ? Long.MIN_VALUE : last.slotMs());
        if (lastSlotMs > owedAfter) {
            long late = nowMs - lastSlotMs;
            return new Verdict.Start(lastSlotMs, false, late > LATE_MS
                    ? "missed slot " + Instant.ofEpochMilli(lastSlotMs) + " (" + late / 1000 + " s ago), run once now"
                    : "scheduled for " + Instant.ofEpochMilli(lastSlotMs));
        }
        return new Verdict.Wait();
    }

    /** Whether a run going on here, started in {@code runEpoch}, must be killed now. */
    public static boolean mustStop(Standing standing, long runEpoch) {
        return !standing.mayRun() || standing.epoch() != runEpoch;
    }
}
