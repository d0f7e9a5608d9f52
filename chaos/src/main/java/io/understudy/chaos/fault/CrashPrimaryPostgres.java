package io.understudy.chaos.fault;

import io.understudy.chaos.ChaosCluster;
import java.time.Duration;

/**
 * {@code kill -9} of the primary's PostgreSQL (postmaster and backends), started again on
 * healing with crash recovery. Writes fail meanwhile. Whether the primary steps down depends on
 * the node's database health checks, so either outcome is accepted; nothing acknowledged may be lost.
 */
public final class CrashPrimaryPostgres implements Fault {

    private String victim;

    @Override
    public String name() {
        return "crash-primary-postgres";
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
        victim = cluster.primary();
        cluster.appliance().crashPostgres(victim);
    }

    @Override
    public void heal(ChaosCluster cluster) {
        cluster.appliance().startPostgres(victim);
    }
}
