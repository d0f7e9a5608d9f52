package io.understudy.chaos;

import io.understudy.chaos.fault.Fault;
import java.util.List;
import java.util.Map;

/**
 * What one cycle did and found.
 *
 * @param writeGapMs  the longest time without an acknowledged write from injection to the end of the cycle
 * @param failures    failed requests that ended during the cycle, by class
 * @param acked       acknowledged writes that ended during the cycle
 * @param lost        acknowledged writes missing on a node at the cycle's check (most on any node)
 * @param duplicates  writes found applied twice at the cycle's check
 * @param findings    what else the cycle's check counted
 * @param violations  safety or liveness problems; empty when the cycle passed
 */
public record CycleRecord(int cycle, String fault, Fault.Expectation expectation, boolean failover, long writeGapMs,
                          Map<String, Long> failures, int acked, int lost, int duplicates, Findings findings, long epochBefore,
                          long epochAfter, String primaryBefore, String primaryAfter, long durationMs, List<String> violations) {

    /**
     * @param epochsServedTwice epochs in which two nodes acknowledged writes
     * @param duplicateIds      application ids handed to two acknowledged writes
     * @param halfFiles         files in a node's application directory that are not whole (most on any node)
     * @param dutyRunsTwice     duty runs that ran twice in one epoch, newly found in the cluster history
     * @param dutyInFlight      a duty run was going on when the fault was injected
     */
    public record Findings(int epochsServedTwice, int duplicateIds, int halfFiles, int dutyRunsTwice, boolean dutyInFlight) {
        public static final Findings NONE = new Findings(0, 0, 0, 0, false);
    }

    public long failed() {
        return failures.values().stream().mapToLong(Long::longValue).sum();
    }

    public String line() {
        return String.format("cycle %d %s: %s, epoch %d->%d (%s->%s), write gap %d ms, acked %d, failed %s, lost %d,"
                        + " duplicates %d, epochs served twice %d, duplicate ids %d, half files %d, duty runs twice %d,"
                        + " duty in flight %s, %d ms%s", cycle, fault, failover ? "failover" : "no failover", epochBefore,
                epochAfter, primaryBefore, primaryAfter, writeGapMs, acked, failures, lost, duplicates,
                findings.epochsServedTwice(), findings.duplicateIds(), findings.halfFiles(), findings.dutyRunsTwice(),
                findings.dutyInFlight() ? "yes" : "no", durationMs, violations.isEmpty() ? "" : ", VIOLATIONS " + violations);
    }
}
