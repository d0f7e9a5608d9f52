package io.understudy.launcher.cli.drill;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether a drill passed: the cluster recovered, nothing unsafe was seen, and the drill's own
 * targets were met. Pure.
 *
 * @param passed  no reason to fail
 * @param reasons why not, one line each; empty when passed
 */
public record Verdict(boolean passed, List<String> reasons) {

    public Verdict {
        reasons = List.copyOf(reasons);
    }

    /**
     * @param recovered  a new primary took over and acknowledged writes (or, for a switchover, the target did)
     * @param rtoMs      the longest client-visible write gap
     * @param lostWrites acknowledged writes missing on the worst checked node; -1 when no node could be checked
     * @param violations safety violations the checker found (other than missing writes): a write applied twice,
     *                   held with another body, two nodes in one epoch, an acknowledgement from a superseded epoch
     * @param maxRtoMs   the target for the RTO, or null for none
     * @param maxLost    the target for lost writes, or null for none
     */
    public static Verdict of(boolean recovered, long rtoMs, long lostWrites, List<String> violations, Long maxRtoMs,
                             Long maxLost) {
        List<String> reasons = new ArrayList<>();
        if (!recovered) {
            reasons.add("not recovered: no new primary acknowledged writes within the recovery timeout");
        }
        reasons.addAll(violations);
        if (maxRtoMs != null && rtoMs > maxRtoMs) {
            reasons.add("RTO " + rtoMs + " ms > --max-rto " + maxRtoMs + " ms");
        }
        if (maxLost != null && lostWrites < 0) {
            reasons.add("no node could be checked for lost writes (--max-lost " + maxLost + ")");
        } else if (maxLost != null && lostWrites > maxLost) {
            reasons.add(lostWrites + " acknowledged writes lost > --max-lost " + maxLost);
        }
        return new Verdict(reasons.isEmpty(), reasons);
    }

    /** {@code passed}, or the reasons joined. */
    public String text() {
        return passed ? "passed" : String.join("; ", reasons);
    }
}
