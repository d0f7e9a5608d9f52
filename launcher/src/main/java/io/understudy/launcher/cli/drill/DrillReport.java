package io.understudy.launcher.cli.drill;

import java.util.List;
import java.util.Map;

/**
 * Everything a drill found, as written to {@code <name>.json} (and rendered as Markdown and HTML).
 * Times named {@code ...AtMs} are milliseconds since the drill's load started.
 *
 * @param name          the report's name, also the stem of its files
 * @param kind          what was done: kill, freeze, switchover, db-crash, or failover (a forced failover through the admin API)
 * @param requestedKind the {@code --kind} asked for (differs from kind when a remote cluster got a forced failover instead)
 * @param startedAt     wall-clock start of the load, ISO-8601 with offset
 * @param target        the local appliance's data dir, or that the cluster was remote
 * @param url           the switch the drill talked to
 * @param loadUrl       where the load went (the switch, or a load balancer in front of switches)
 * @param lostWrites    acknowledged writes missing on the checked node that lacks the most; -1 when none could be checked
 * @param duplicates    writes applied more than once
 * @param violations    every safety violation the checker found, missing writes included
 * @param failures      failed write attempts by class ({@code 503:no_primary}, {@code timeout}, ...)
 * @param events        the drill's own steps and the cluster's history entries during the drill, in time order
 * @param versions      the CLI's and each node's software version, the Java runtime
 * @param settings      the cluster-wide settings and each node's replication mode
 * @param requestLog    file with one JSON line per request the drill sent
 */
public record DrillReport(String name, String kind, String requestedKind, String startedAt, String target, String url,
                          String loadUrl, Plan plan, Fault fault, Figures figures, long lostWrites, long duplicates,
                          Verdict verdict, List<NodeCheck> nodes, List<String> violations, Map<String, Long> failures,
                          List<Event> events, Timeline timeline, Map<String, String> versions, Map<String, Object> settings,
                          String requestLog) {

    /** The drill's parameters. {@code maxRtoMs} and {@code maxLost} are null when not given. */
    public record Plan(long durationMs, double ratePerSecond, int threads, long slowMs, Long maxRtoMs, Long maxLost,
                       long recoveryTimeoutMs, long rejoinWaitMs, int maxAttempts) {
    }

    /**
     * The fault and the recovery.
     *
     * @param victim            the primary the fault hit
     * @param newPrimary        who served as primary after it, null when nobody took over
     * @param newPrimarySeenAtMs when the switch's status first showed the new primary live
     * @param writesFlowAtMs    when the first write was acknowledged in the new epoch
     * @param releasedAtMs      for a freeze: when the process was continued
     * @param oldPrimaryBack    whether the victim came back as a healthy secondary within the rejoin wait
     * @param oldPrimaryNote    what the victim was doing at the end
     */
    public record Fault(String description, String victim, long epochBefore, long atMs, Long releasedAtMs, String newPrimary,
                        long newEpoch, Long newPrimarySeenAtMs, Long writesFlowAtMs, boolean oldPrimaryBack,
                        String oldPrimaryNote) {
    }

    /**
     * What one node holds of the drill's acknowledged writes, read from the node's own API.
     *
     * @param checked   false when the node could not be read (down, resyncing): then only {@code note} says why
     * @param held      the drill's objects it holds
     * @param missing   acknowledged writes it lacks
     * @param wrongBody acknowledged writes it holds with another body
     * @param examples  a few of the missing ids
     */
    public record NodeCheck(String nodeId, String apiUrl, String role, boolean checked, int held, int missing, int wrongBody,
                            String note, List<String> examples) {
    }

    /** @param source {@code drill} for the drill's own steps, {@code cluster} for history entries */
    public record Event(long atMs, String source, String type, String nodeId, long epoch, String text) {
    }
}
