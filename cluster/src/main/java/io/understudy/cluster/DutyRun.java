package io.understudy.cluster;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * One run of a primary-only duty, as recorded in {@code /duties/<name>} and in the history.
 *
 * @param duty        the duty's name ({@code duties.<name>.*} in the node's configuration)
 * @param runId       unique per run: {@code <duty>-e<epoch>-<node>-<startedAtMs>}
 * @param nodeId      the primary that ran it
 * @param epoch       the epoch whose primary started it; no other node can start a run in that epoch
 * @param slotMs      the scheduled time the run is for (epoch millis); a re-run keeps its predecessor's
 * @param startedAtMs wall-clock start
 * @param endedAtMs   wall-clock end, 0 while the run has no recorded end
 * @param outcome     how it ended; null while it has no recorded end
 * @param exitCode    the process's exit code, when it exited by itself or by a signal (128 + signal)
 * @param reason      why it started (scheduled, missed slot, re-run of an interrupted run) or how it ended
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DutyRun(String duty, String runId, String nodeId, long epoch, long slotMs, long startedAtMs,
                      long endedAtMs, Outcome outcome, Integer exitCode, String reason) {

    /** How a run ended. */
    public enum Outcome {
        /** Exit code 0. */
        SUCCEEDED,
        /** Any other exit code. */
        FAILED,
        /** Killed after {@code duties.<name>.timeoutMs}. */
        TIMED_OUT,
        /** Killed because its node stopped being primary, lost its lease, or stopped: the next primary runs it again. */
        INTERRUPTED,
        /** Could not be started at all (e.g. no shell). */
        NOT_STARTED
    }

    /** A run that has started and has no recorded end. */
    public static DutyRun started(String duty, String nodeId, long epoch, long slotMs, long startedAtMs, String reason) {
        return new DutyRun(duty, duty + "-e" + epoch + "-" + nodeId + "-" + startedAtMs, nodeId, epoch, slotMs, startedAtMs,
                0, null, null, reason);
    }

    /** This run with its end recorded. */
    public DutyRun ended(long atMs, Outcome how, Integer code, String why) {
        return new DutyRun(duty, runId, nodeId, epoch, slotMs, startedAtMs, atMs, how, code, why);
    }

    /** Started and no end recorded: either still running or cut short without a word (its node died). */
    public boolean open() {
        return outcome == null;
    }

    public long durationMs() {
        return open() ? -1 : Math.max(0, endedAtMs - startedAtMs);
    }
}
