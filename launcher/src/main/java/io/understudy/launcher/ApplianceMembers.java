package io.understudy.launcher;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds nodes to and removes nodes from a running {@link LocalAppliance}. Adding: readmit the id (in case it was
 * removed before), start its PostgreSQL, write its config, start it under supervision, wait until the switch shows it
 * as a healthy secondary. Removing: check it is not the primary and two nodes remain, stop its process, ask the switch
 * to decommission it (the primary drops its slot and publication at once), stop its PostgreSQL. The data dir's node
 * list follows each change. One change at a time (the appliance's lock).
 */
public final class ApplianceMembers {

    /** A node that was added, and how long it took from the request until the switch showed it streaming. */
    public record Added(String nodeId, String apiUrl, int pgPort, long streamingAfterMs) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(ApplianceMembers.class);
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);

    private final LocalAppliance appliance;

    ApplianceMembers(LocalAppliance appliance) {
        this.appliance = appliance;
    }

    Added add(String requested, Duration timeout) {
        synchronized (appliance) {
            appliance.requireRunning("nodes are added");
            long begin = System.nanoTime();
            ApplianceConfig before = appliance.config();
            String id = requested != null ? requested : ApplianceNodes.nextFreeId(before.nodeIds());
            if (before.runs(id)) {
                throw new IllegalArgumentException("node " + id + " already runs in this appliance");
            }
            List<String> ids = new ArrayList<>(before.nodeIds());
            ids.add(id);
            ApplianceConfig after = before.withNodes(ids);
            appliance.refuseTakenPorts(List.copyOf(after.portUses(id).keySet()));
            SwitchAdminClient.Answer readmitted = appliance.adminClient().readmitMember(id);
            if (!readmitted.ok()) {
                throw new IllegalStateException("the switch did not readmit node " + id + ": " + readmitted.message());
            }
            LOG.info("adding node {} (API {}, PostgreSQL port {})", id, after.nodeApiUrl(id), after.pgPort(id));
            LocalPostgres pg = appliance.newPostgres(after, id);
            appliance.postgres().put(id, pg);
            pg.start();
            ChildLauncher.writeNodeConfig(after, id, appliance.nodeOverrides(id));
            appliance.config(after);
            ApplianceNodes.write(after.confDir(), after.nodeIds());
            appliance.startNodeProcess(id);
            Waiter.await("node " + id + " streaming as a secondary", timeout, Duration.ofMillis(200), () -> {
                appliance.ensureNotStopping();
                return appliance.statusClient().fetch().map(s -> s.isHealthySecondary(id)).orElse(false);
            });
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
            LOG.info("node {} added: a streaming secondary {} ms after the request", id, ms);
            return new Added(id, after.nodeApiUrl(id), after.pgPort(id), ms);
        }
    }

    SwitchAdminClient.Answer remove(String id) {
        synchronized (appliance) {
            appliance.requireRunning("nodes are removed");
            ApplianceConfig before = appliance.config();
            if (!before.runs(id)) {
                throw new IllegalArgumentException("node " + id + " is not part of this appliance, which runs " + before.nodeIds());
            }
            if (before.nodeIds().size() <= ApplianceConfig.MIN_NODES) {
                throw new IllegalStateException("removing node " + id + " would leave fewer than " + ApplianceConfig.MIN_NODES
                        + " nodes; add one first");
            }
            SwitchStatus status = appliance.statusClient().fetch()
                    .orElseThrow(() -> new IllegalStateException("the switch at " + before.switchUrl() + " does not answer"));
            if (status.primaryNodeId().filter(id::equals).isPresent()) {
                throw new IllegalStateException("node " + id + " is the primary; switch over to another node first"
                        + " (POST " + before.switchUrl() + "/_understudy/switchover)");
            }
            LOG.info("removing node {}: stopping its process, then decommissioning it through the switch", id);
            appliance.supervisor().stop(LocalAppliance.nodeName(id), STOP_GRACE);
            SwitchAdminClient.Answer answer = appliance.adminClient().removeMember(id, "removed from the local appliance");
            if (!answer.ok()) {
                LOG.warn("the switch refused to remove node {} ({} {}); starting it again", id, answer.status(), answer.message());
                appliance.startNodeProcess(id);
                throw new IllegalStateException("the switch refused to remove node " + id + ": " + answer.message());
            }
            LocalPostgres pg = appliance.postgres().remove(id);
            if (pg != null) {
                pg.close();
            }
            ZooKeeperProxies proxies = appliance.zooKeeperProxies();
            if (proxies != null) {
                proxies.remove(id);
            }
            List<String> ids = new ArrayList<>(before.nodeIds());
            ids.remove(id);
            ApplianceConfig after = before.withNodes(ids);
            appliance.config(after);
            ApplianceNodes.write(after.confDir(), after.nodeIds());
            LOG.info("node {} removed ({}); its data stays under {} and {}", id, answer.message(), before.nodeDataDir(id),
                    before.postgresDir(id));
            return answer;
        }
    }
}
