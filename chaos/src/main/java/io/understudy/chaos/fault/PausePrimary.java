package io.understudy.chaos.fault;

import io.understudy.chaos.ChaosCluster;
import io.understudy.launcher.ChildConfigs;
import java.time.Duration;

/**
 * {@code SIGSTOP} of the primary's process, {@code SIGCONT} on healing. Long: past the session
 * timeout, so the other node must take over and the woken one must not acknowledge anything and
 * must rejoin. Short: well below it, so nothing may move.
 */
public final class PausePrimary implements Fault {

    private final boolean pastSessionTimeout;
    private String victim;

    public PausePrimary(boolean pastSessionTimeout) {
        this.pastSessionTimeout = pastSessionTimeout;
    }

    @Override
    public String name() {
        return pastSessionTimeout ? "pause-primary-long" : "pause-primary-short";
    }

    @Override
    public Expectation expectation() {
        return pastSessionTimeout ? Expectation.FAILOVER : Expectation.NO_FAILOVER;
    }

    /** A quarter of the session timeout: short enough that the lease (a full timeout) holds with room to spare. */
    @Override
    public Duration holdFor() {
        return Duration.ofMillis(ChildConfigs.NODE_SESSION_TIMEOUT_MS / 4);
    }

    @Override
    public void inject(ChaosCluster cluster) {
        victim = cluster.primary();
        cluster.signal(victim, "STOP");
    }

    @Override
    public void heal(ChaosCluster cluster) {
        cluster.signal(victim, "CONT");
    }
}
