package io.understudy.cluster;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The headline figures of one DR drill ({@code understudy drill}), kept in its {@code DRILL_REPORT}
 * history record so status pages can list the last drills without reading the reports.
 *
 * @param kind               what was done to the primary: {@code kill}, {@code freeze}, {@code switchover},
 *                           {@code db-crash}, or {@code failover} (a forced failover through the admin API)
 * @param passed             recovered, no safety violation, and within the drill's own targets
 * @param verdict            {@code passed}, or why not (e.g. {@code RTO 6100 ms > --max-rto 5000 ms})
 * @param rtoMs              the longest time clients could not get a write acknowledged
 * @param lostWrites         acknowledged writes missing on the node that lacks the most; -1 when no node could be checked
 * @param acknowledgedWrites writes the drill's client saw acknowledged
 * @param failedRequests     requests (writes and reads) that got an error or no answer
 * @param retriedWrites      writes the client had to send more than once
 * @param duplicates         writes applied more than once
 * @param durationMs         how long the drill's load ran
 * @param report             the report's name (its files are {@code <report>.md}, {@code .json} and {@code .html})
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DrillSummary(String kind, boolean passed, String verdict, long rtoMs, long lostWrites, long acknowledgedWrites,
                           long failedRequests, long retriedWrites, long duplicates, long durationMs, String report) {
}
