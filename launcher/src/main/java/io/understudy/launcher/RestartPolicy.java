package io.understudy.launcher;

import io.understudy.node.NodeMain;
import java.time.Duration;
import java.util.Objects;

/**
 * When the local appliance starts a child again that exited without being asked to: after {@code first}, doubling
 * with every exit in a row up to {@code max}; a child that ran for {@code stableAfter} or longer before it exited is
 * not in a crash loop, so its next start waits {@code first} again. Pure.
 *
 * @param first       the delay before the first restart
 * @param max         the longest delay a crash loop backs off to
 * @param stableAfter how long a child must have run for its exit to count as the first of a new series
 */
record RestartPolicy(Duration first, Duration max, Duration stableAfter) {

    /** 1 s doubling to 30 s; a child that ran 30 s was not crash-looping. */
    static final RestartPolicy DEFAULT = new RestartPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(30));

    /** What to do about a child that exited without being asked to. */
    sealed interface Verdict {
        /** Start it again after {@code delay}; {@code inARow} counts exits without a stable run between them. */
        record Restart(Duration delay, int inARow) implements Verdict {
        }

        /** Leave it stopped. */
        record Stay(String reason) implements Verdict {
        }
    }

    RestartPolicy {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(max, "max");
        Objects.requireNonNull(stableAfter, "stableAfter");
        if (first.isNegative() || first.isZero() || max.compareTo(first) < 0) {
            throw new IllegalArgumentException("need 0 < first <= max, got " + first + " and " + max);
        }
    }

    /**
     * @param ranFor        how long the child ran before it exited
     * @param previousDelay the delay before its current start, or {@link Duration#ZERO} when it was not a restart
     * @param inARow        exits in a row before this one (0 when the previous run was stable or there was none)
     * @param exitCode      its exit code: {@link MainDelegate#CONFIG_ERROR} (its configuration was refused) and, for a
     *                      node, {@link NodeMain#EXIT_REMOVED} cannot be helped by starting it again
     * @param node          the child is a node (not the switch)
     */
    Verdict afterExit(Duration ranFor, Duration previousDelay, int inARow, int exitCode, boolean node) {
        if (node && exitCode == NodeMain.EXIT_REMOVED) {
            return new Verdict.Stay("it was removed from the cluster; it runs again only once added back");
        }
        if (exitCode == MainDelegate.CONFIG_ERROR) {
            return new Verdict.Stay("its configuration was refused (exit code " + exitCode + "); see its log");
        }
        if (ranFor.compareTo(stableAfter) >= 0 || previousDelay.isZero()) {
            return new Verdict.Restart(first, 1);
        }
        Duration doubled = previousDelay.multipliedBy(2);
        return new Verdict.Restart(doubled.compareTo(max) > 0 ? max : doubled, inARow + 1);
    }
}
