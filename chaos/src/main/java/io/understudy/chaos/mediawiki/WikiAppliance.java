package io.understudy.chaos.mediawiki;

import io.understudy.chaos.ChaosCluster;
import io.understudy.chaos.FreePorts;
import io.understudy.launcher.ApplianceConfig;
import io.understudy.launcher.LocalAppliance;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local appliance on free ports with MediaWiki behind it, installed and ready for clients of the switch. Sync
 * replication: a write is acknowledged once the secondary applied it; while one node is away the primary
 * acknowledges alone ({@code syncFallback=async}), as an operator would run two nodes.
 *
 * @param appliance the appliance (separate node processes)
 * @param cluster   its status and signals as the chaos suite reads them
 * @param wiki      the wiki on each node
 */
public record WikiAppliance(LocalAppliance appliance, ChaosCluster cluster, WikiSite wiki) implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WikiAppliance.class);

    /**
     * Starts everything under {@code dir} and installs the wiki on the primary; stops what it started on failure.
     *
     * @throws IllegalStateException when PHP or MediaWiki is missing (naming the packages), or a step failed
     */
    public static WikiAppliance start(Path dir, String clusterName, String childClasspath) throws Exception {
        MediaWikiPackage pkg = MediaWikiPackage.require();
        ApplianceConfig config = FreePorts.appliance(dir.resolve("data"), clusterName);
        WikiSite wiki = new WikiSite(pkg, config, dir.resolve("wiki"), FreePorts::port);
        wiki.prepare();
        LocalAppliance appliance = wiki.configure(new LocalAppliance(config, childClasspath))
                .nodeSetting("replication.mode", "sync")
                .nodeSetting("replication.syncFallback", "async");
        try {
            long begin = System.nanoTime();
            appliance.start(Duration.ofMinutes(4));
            ChaosCluster cluster = new ChaosCluster(appliance);
            for (String id : cluster.nodeIds()) {
                wiki.createRole(id);
            }
            String primary = cluster.primary();
            wiki.install(primary, appliance.switchUrl());
            for (String id : cluster.nodeIds()) {
                wiki.warmCache(id);
            }
            LOG.info("MediaWiki installed on primary {} and served through {} after {} s", primary, appliance.switchUrl(),
                    Duration.ofNanos(System.nanoTime() - begin).toSeconds());
            return new WikiAppliance(appliance, cluster, wiki);
        } catch (Exception | Error e) {
            appliance.close();
            throw e;
        }
    }

    /** The node of the two that is not {@code nodeId}. */
    public String other(String nodeId) {
        return cluster.nodeIds().stream().filter(n -> !n.equals(nodeId)).findFirst().orElseThrow();
    }

    public String switchUrl() {
        return appliance.switchUrl();
    }

    @Override
    public void close() {
        appliance.close();
    }
}
