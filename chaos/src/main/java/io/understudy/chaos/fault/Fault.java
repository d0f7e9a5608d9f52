package io.understudy.chaos.fault;

import io.understudy.chaos.ChaosCluster;
import java.time.Duration;

/**
 * One kind of failure the chaos suite injects. A cycle calls {@link #inject}, waits as
 * {@link #expectation} says (for a failover, or {@link #holdFor} when none is expected), then
 * {@link #heal}s. Instances keep what they did between inject and heal; one cycle at a time.
 */
public interface Fault {

    /** What the cluster should do while the fault lasts. */
    enum Expectation {
        /** The other node takes over: a new epoch with a live primary. */
        FAILOVER,
        /** Nothing moves: the epoch after healing is the epoch before. */
        NO_FAILOVER,
        /** Either is correct (e.g. a ZooKeeper leader election may or may not suspend sessions). */
        EITHER
    }

    /** A stable short name, used in the summary table and {@code --faults}. */
    String name();

    Expectation expectation();

    /** How long to keep the fault when no failover is awaited. */
    default Duration holdFor() {
        return Duration.ofSeconds(3);
    }

    void inject(ChaosCluster cluster) throws Exception;

    /** Undoes the fault; returns once the faulty part runs again (the cycle then waits for the cluster to settle). */
    void heal(ChaosCluster cluster) throws Exception;
}
