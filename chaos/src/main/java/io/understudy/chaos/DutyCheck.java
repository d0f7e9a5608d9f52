package io.understudy.chaos;

import io.understudy.cluster.DutyRun;
import io.understudy.cluster.HistoryRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Duty runs in the cluster history that ran twice in one epoch: started by two nodes, started while an earlier run of
 * the same duty had no recorded end or had not ended yet, or a slot started again after its run ended other than
 * {@code INTERRUPTED} (an interrupted run is owed again, at once, for the same slot). Pure.
 */
public final class DutyCheck {

    private DutyCheck() {
    }

    /** One line per run that ran twice in its epoch; empty when every epoch ran each duty's slots once. */
    public static List<String> violations(List<HistoryRecord> history) {
        Map<String, DutyRun> ends = new HashMap<>();
        Map<String, List<DutyRun>> startsByDutyAndEpoch = new TreeMap<>();
        for (HistoryRecord h : history) {
            if (h.duty() == null) {
                continue;
            }
            if (h.type() == HistoryRecord.Type.DUTY_ENDED) {
                ends.put(h.duty().runId(), h.duty());
            } else if (h.type() == HistoryRecord.Type.DUTY_STARTED) {
                startsByDutyAndEpoch.computeIfAbsent(h.duty().duty() + "@" + h.epoch(), k -> new ArrayList<>()).add(h.duty());
            }
        }
        List<String> out = new ArrayList<>();
        startsByDutyAndEpoch.forEach((dutyAtEpoch, starts) -> {
            List<DutyRun> runs = starts.stream().sorted(Comparator.comparingLong(DutyRun::startedAtMs)).toList();
            for (int i = 1; i < runs.size(); i++) {
                DutyRun before = runs.get(i - 1);
                DutyRun run = runs.get(i);
                DutyRun ended = ends.get(before.runId());
                if (!before.nodeId().equals(run.nodeId())) {
                    out.add(dutyAtEpoch + ": " + run.runId() + " on " + run.nodeId() + " after " + before.runId() + " on "
                            + before.nodeId());
                } else if (ended == null || run.startedAtMs() < ended.endedAtMs()) {
                    out.add(dutyAtEpoch + ": " + run.runId() + " started while " + before.runId() + " had not ended");
                } else if (run.slotMs() == before.slotMs() && ended.outcome() != DutyRun.Outcome.INTERRUPTED) {
                    out.add(dutyAtEpoch + ": slot " + run.slotMs() + " run again by " + run.runId() + " after "
                            + before.runId() + " ended " + ended.outcome());
                }
            }
        });
        return out;
    }

    /** A run of epoch {@code epoch} that has started and has no recorded end. */
    public static Optional<DutyRun> inFlight(List<HistoryRecord> history, long epoch) {
        Map<String, DutyRun> open = new HashMap<>();
        for (HistoryRecord h : history) {
            if (h.duty() != null && h.type() == HistoryRecord.Type.DUTY_STARTED && h.epoch() == epoch) {
                open.put(h.duty().runId(), h.duty());
            } else if (h.duty() != null && h.type() == HistoryRecord.Type.DUTY_ENDED) {
                open.remove(h.duty().runId());
            }
        }
        return open.values().stream().findFirst();
    }
}
