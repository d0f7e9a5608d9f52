package io.understudy.launcher.cli.drill;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A drill as asked for on the command line.
 *
 * @param loadUrl     where the load goes: the switch, or a load balancer in front of switches
 * @param maxRtoMs    fail the drill when the write gap is longer; null: no target
 * @param maxLost     fail the drill when more acknowledged writes are lost; null: no target
 * @param maxAttempts sends of one write until it is acknowledged (the client's retries with the same key)
 * @param remote      never touch local processes: kill and freeze become a forced failover through the admin API
 */
record DrillPlan(DrillFault.Kind kind, Duration duration, double rate, int threads, Duration slow, Long maxRtoMs, Long maxLost,
                 Duration recoveryTimeout, Duration rejoinWait, int maxAttempts, String url, String loadUrl, Path reportDir,
                 boolean remote, Path dataDir) {

    /** Load before the fault: long enough to see the steady state, at most 15 s. */
    Duration warmUp() {
        Duration quarter = duration.dividedBy(4);
        return quarter.compareTo(Duration.ofSeconds(2)) < 0 ? Duration.ofSeconds(2)
                : quarter.compareTo(Duration.ofSeconds(15)) > 0 ? Duration.ofSeconds(15) : quarter;
    }

    /**
     * Bounds the load's time: the planned duration, plus the longest wait for the first acknowledged
     * write before the fault and the longest recovery after it.
     */
    Duration maxLoadTime() {
        return duration.plus(recoveryTimeout.multipliedBy(2)).plusSeconds(30);
    }

    /** Bounds the load's writes: {@link #maxLoadTime} at the planned rate. */
    int maxWrites() {
        return (int) Math.ceil(rate * maxLoadTime().toSeconds()) + threads;
    }
}
