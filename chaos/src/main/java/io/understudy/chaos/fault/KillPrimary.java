package io.understudy.chaos.fault;

import io.understudy.chaos.ChaosCluster;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** {@code kill -9} of the primary node's process; the appliance starts it again, healing waits until it serves. */
public final class KillPrimary implements Fault {

    private String victim;

    @Override
    public String name() {
        return "kill-primary";
    }

    @Override
    public Expectation expectation() {
        return Expectation.FAILOVER;
    }

    @Override
    public void inject(ChaosCluster cluster) throws Exception {
        victim = cluster.primary();
        Process process = cluster.appliance().nodeProcess(victim);
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("node " + victim + " survived SIGKILL");
        }
    }

    @Override
    public void heal(ChaosCluster cluster) {
        cluster.appliance().awaitNodeBack(victim, Duration.ofMinutes(3));
    }
}
