package io.understudy.workload;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the history checker found.
 *
 * @param acked          acknowledged writes checked
 * @param lost           per node: acknowledged ids it does not hold
 * @param wrongBody      per node: acknowledged ids it holds with another body
 * @param duplicates     ids applied more than once (version above 1, or a create-only keyed write answered 412)
 * @param epochConflicts epochs in which more than one node acknowledged writes, with those nodes
 * @param staleAcks      acks in an epoch older than one already acknowledged before the request started
 * @param failures       failed write attempts by class (a write sent again counts once per failed attempt)
 */
public record CheckReport(int acked, Map<String, List<String>> lost, Map<String, List<String>> wrongBody,
                          List<String> duplicates, Map<Long, Set<String>> epochConflicts, List<String> staleAcks,
                          Map<String, Long> failures) {

    /** How many examples each violation line names at most. */
    private static final int EXAMPLES = 5;

    public int lostCount() {
        return lost.values().stream().mapToInt(List::size).max().orElse(0);
    }

    /** One line per safety violation; empty when the history is clean. */
    public List<String> violations() {
        List<String> out = new ArrayList<>();
        lost.forEach((node, ids) -> {
            if (!ids.isEmpty()) {
                out.add("node " + node + " lacks " + ids.size() + " acknowledged writes, e.g. " + head(ids));
            }
        });
        out.addAll(violationsBesidesLoss());
        return out;
    }

    /**
     * The violations other than acknowledged writes missing on a node: those are a matter of the
     * replication mode (in async mode the last acknowledged writes may not have reached the secondary
     * that takes over), these never are.
     */
    public List<String> violationsBesidesLoss() {
        List<String> out = new ArrayList<>();
        wrongBody.forEach((node, ids) -> {
            if (!ids.isEmpty()) {
                out.add("node " + node + " holds " + ids.size() + " acknowledged writes with another body, e.g. " + head(ids));
            }
        });
        if (!duplicates.isEmpty()) {
            out.add(duplicates.size() + " writes applied more than once, e.g. " + head(duplicates));
        }
        epochConflicts.forEach((epoch, nodes) -> out.add("epoch " + epoch + " acknowledged by nodes " + nodes));
        if (!staleAcks.isEmpty()) {
            out.add(staleAcks.size() + " writes acknowledged in an epoch already superseded when they started, e.g. "
                    + head(staleAcks));
        }
        return out;
    }

    private static List<String> head(List<String> ids) {
        return ids.subList(0, Math.min(EXAMPLES, ids.size()));
    }
}
