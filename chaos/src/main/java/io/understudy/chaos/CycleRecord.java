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
 * @param violations  safety or liveness problems; empty when the cycle passed
 */
public record CycleRecord(int cycle, String fault, Fault.Expectation expectation, boolean failover, long writeGapMs,
                          Map<String, Long> failures, int acked, int lost, int duplicates, long epochBefore, long epochAfter,
                          String primaryBefore, String primaryAfter, long durationMs, List<String> violations) {

    public long failed() {
        return failures.values().stream().mapToLong(Long::longValue).sum();
    }

    public String line() {
        return String.format("cycle %d %s: %s, epoch %d->%d (%s->%s), write gap %d ms, acked %d, failed %s, lost %d,"
                        + " duplicates %d, %d ms%s", cycle, fault, failover ? "failover" : "no failover", epochBefore,
                epochAfter, primaryBefore, primaryAfter, writeGapMs, acked, failures, lost, duplicates, durationMs,
                violations.isEmpty() ? "" : ", VIOLATIONS " + violations);
    }
}
