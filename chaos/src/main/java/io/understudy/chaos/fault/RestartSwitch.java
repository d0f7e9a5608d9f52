package io.understudy.chaos.fault;

import io.understudy.chaos.ChaosCluster;
import io.understudy.workload.History;
import java.time.Duration;

/**
 * {@code kill -9} of the switch and a fresh start. Requests fail while it is down (counted as
 * {@code switch_down}); the nodes must not notice.
 */
public final class RestartSwitch implements Fault {

    private final History history;

    public RestartSwitch(History history) {
        this.history = history;
    }

    @Override
    public String name() {
        return "restart-switch";
    }

    @Override
    public Expectation expectation() {
        return Expectation.NO_FAILOVER;
    }

    @Override
    public Duration holdFor() {
        return Duration.ZERO;
    }

    @Override
    public void inject(ChaosCluster cluster) {
        history.switchGoingDown();
        cluster.appliance().restartSwitch(Duration.ofMinutes(1));
    }

    @Override
    public void heal(ChaosCluster cluster) {
        history.switchBackUp();
    }
}
