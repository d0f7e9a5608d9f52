package io.understudy.cluster;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Who could take over from the primary, and, when the primary is gone and nobody can, why not:
 * read from the candidacies members publish. Pure; the switch shows it (status, metrics, the 503
 * body) and nodes log it, so that a cluster that cannot fail over says so loudly.
 *
 * @param eligible ids of the members, other than the live primary, whose candidacy says eligible
 * @param blocked  with no live primary and no eligible member: every member's reason; otherwise null
 */
public record FailoverOutlook(List<String> eligible, String blocked) {

    public FailoverOutlook {
        eligible = List.copyOf(eligible);
    }

    public static FailoverOutlook of(ClusterView view) {
        String livePrimary = view.livePrimary().map(PrimaryRecord::nodeId).orElse(null);
        List<String> eligible = view.members().stream()
                .filter(m -> !m.nodeId().equals(livePrimary) && m.candidacy().eligible())
                .map(MemberRecord::nodeId)
                .toList();
        if (livePrimary != null || !eligible.isEmpty()) {
            return new FailoverOutlook(eligible, null);
        }
        return new FailoverOutlook(eligible, "no eligible candidate: " + reasons(view));
    }

    /** {@code "a: reason; b: reason"}, in node id order. */
    public static String reasons(ClusterView view) {
        if (view.members().isEmpty()) {
            return "no member is registered";
        }
        return view.members().stream().map(m -> m.nodeId() + ": " + m.candidacy().reason())
                .collect(Collectors.joining("; "));
    }
}
