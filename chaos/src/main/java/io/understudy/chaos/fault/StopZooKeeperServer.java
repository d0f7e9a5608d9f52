package io.understudy.chaos.fault;

import io.understudy.chaos.ChaosCluster;
import java.time.Duration;

/**
 * Stops one ZooKeeper server of the three (the leader, or a follower), starting it again on
 * healing. The quorum survives; clients of that server reconnect elsewhere. Whether that costs a
 * failover depends on how long the nodes' sessions are disconnected, so either outcome is correct.
 */
public final class StopZooKeeperServer implements Fault {

    private final boolean leader;
    private int stopped;

    public StopZooKeeperServer(boolean leader) {
        this.leader = leader;
    }

    @Override
    public String name() {
        return leader ? "stop-zk-leader" : "stop-zk-follower";
    }

    @Override
    public Expectation expectation() {
        return Expectation.EITHER;
    }

    @Override
    public Duration holdFor() {
        return Duration.ofSeconds(5);
    }

    @Override
    public void inject(ChaosCluster cluster) {
        int leaderId = cluster.appliance().zooKeeperLeaderId();
        if (leaderId == 0) {
            throw new IllegalStateException("the ZooKeeper ensemble has no leader");
        }
        stopped = leader ? leaderId : leaderId % 3 + 1;
        cluster.appliance().stopZooKeeperServer(stopped);
    }

    @Override
    public void heal(ChaosCluster cluster) {
        cluster.appliance().startZooKeeperServer(stopped, Duration.ofMinutes(2));
    }
}
