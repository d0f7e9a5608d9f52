package io.understudy.chaos.fault;

import io.understudy.chaos.ChaosCluster;
import io.understudy.launcher.FaultProxy;

/**
 * Cuts the primary's links to every ZooKeeper server at its fault proxies: refused (connections
 * reset at once) or black-holed (connections hang). The node keeps running and keeps its
 * database; it must stop acknowledging writes when its session lease runs out, and another node
 * must take over. Healing restores the links; the old primary must rejoin as secondary.
 */
public final class CutPrimaryFromZooKeeper implements Fault {

    private final FaultProxy.Mode cut;
    private String victim;

    public CutPrimaryFromZooKeeper(FaultProxy.Mode cut) {
        this.cut = cut;
    }

    @Override
    public String name() {
        return cut == FaultProxy.Mode.BLACKHOLE ? "cut-zk-blackhole" : "cut-zk-refuse";
    }

    @Override
    public Expectation expectation() {
        return Expectation.FAILOVER;
    }

    @Override
    public void inject(ChaosCluster cluster) {
        victim = cluster.primary();
        cluster.appliance().setZooKeeperLink(victim, cut);
    }

    @Override
    public void heal(ChaosCluster cluster) {
        cluster.appliance().setZooKeeperLink(victim, FaultProxy.Mode.PASS);
    }
}
