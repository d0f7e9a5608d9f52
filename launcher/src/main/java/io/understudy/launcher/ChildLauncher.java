package io.understudy.launcher;

import io.understudy.cluster.config.LogSettings;
import io.understudy.cluster.config.LogSettings.Format;
import io.understudy.cluster.config.Settings;
import io.understudy.cluster.zk.SessionFile;
import io.understudy.node.Node;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes the children's config files and starts the switch and the nodes in their own JVMs. */
final class ChildLauncher {

    static final String SWITCH = "switch";
    /** Debezium's queues, a Hikari pool and Undertow fit comfortably; the JVMs share one small machine. */
    static final int NODE_HEAP_MB = 384;
    /** A proxy with a bounded hold queue needs little heap. */
    static final int SWITCH_HEAP_MB = 160;

    private static final Logger LOG = LoggerFactory.getLogger(ChildLauncher.class);
    private static final long SESSION_CLOSE_TIMEOUT_MS = 3000;

    private ChildLauncher() {
    }

    static String nodeName(String nodeId) {
        return "node-" + nodeId;
    }

    static void writeConfigs(ApplianceConfig config) {
        writeConfigs(config, Map.of(), LogFormat.inEffect());
    }

    /**
     * @param nodeOverrides per node id, keys replacing or adding to the node's defaults (e.g. a proxied zookeeper.connect)
     * @param logFormat     how the nodes and the switch write their logs
     */
    static void writeConfigs(ApplianceConfig config, Map<String, Map<String, String>> nodeOverrides, Format logFormat) {
        for (String id : ApplianceConfig.NODE_IDS) {
            Map<String, String> values = ChildConfigs.node(config, id);
            values.put(LogSettings.FORMAT, logFormat.key());
            values.putAll(nodeOverrides.getOrDefault(id, Map.of()));
            ChildConfigs.write(ChildConfigs.nodeFile(config, id), "node " + id + ", written by the local appliance at every start",
                    values);
        }
        Map<String, String> switchValues = ChildConfigs.failoverSwitch(config, AdminToken.loadOrCreate(config));
        switchValues.put(LogSettings.FORMAT, logFormat.key());
        ChildConfigs.write(ChildConfigs.switchFile(config), "failover switch, written by the local appliance at every start",
                switchValues);
    }

    /**
     * Starts the switch and both nodes together, adding each to {@code started} as soon as it runs
     * (so a failure part-way leaves the caller able to stop the others). Together, because the
     * election decides who is primary: a restart after a failover must not depend on start order.
     */
    static void startAll(ApplianceConfig config, String classpath, Path runDir, Map<String, ChildProcess> started) {
        List<String> ignored = System.getenv().keySet().stream()
                .filter(key -> key.startsWith(Settings.ENV_PREFIX)).sorted().toList();
        if (!ignored.isEmpty()) {
            LOG.warn("not passing {} to the nodes and the switch: the local appliance configures them itself", ignored);
        }
        startSwitch(config, classpath, runDir, started);
        for (String id : ApplianceConfig.NODE_IDS) {
            startNode(config, classpath, runDir, started, id);
        }
    }

    /** Starts (or starts again) the switch, replacing its entry in {@code started}. */
    static void startSwitch(ApplianceConfig config, String classpath, Path runDir, Map<String, ChildProcess> started) {
        start(config, classpath, runDir, started, SWITCH, SWITCH_HEAP_MB,
                List.of("switch", "--config", ChildConfigs.switchFile(config).toString()));
    }

    /** Starts (or starts again) node {@code id}, replacing its entry in {@code started}. */
    static void startNode(ApplianceConfig config, String classpath, Path runDir, Map<String, ChildProcess> started,
                          String id) {
        start(config, classpath, runDir, started, nodeName(id), NODE_HEAP_MB,
                List.of("node", "--config", ChildConfigs.nodeFile(config, id).toString()),
                () -> endSessionOfDeadNode(config, id));
    }

    /**
     * A node process that died (kill -9, a crash) cannot close its ZooKeeper session, so its member record and election
     * latch would stay until the session times out. The appliance saw it die, so it will never write again: ending its
     * session now lets the other node take over at once instead of a session timeout later.
     */
    private static void endSessionOfDeadNode(ApplianceConfig config, String id) {
        if (SessionFile.closeDeadOwnersSession(config.zookeeperConnect(), config.nodeDataDir(id).resolve(Node.SESSION_FILE),
                SESSION_CLOSE_TIMEOUT_MS)) {
            LOG.info("closed the ZooKeeper session of dead {}: the cluster need not wait for it to time out", nodeName(id));
        }
    }

    private static void start(ApplianceConfig config, String classpath, Path runDir, Map<String, ChildProcess> started,
                              String name, int heapMb, List<String> cliArgs) {
        start(config, classpath, runDir, started, name, heapMb, cliArgs, () -> { });
    }

    private static void start(ApplianceConfig config, String classpath, Path runDir, Map<String, ChildProcess> started,
                              String name, int heapMb, List<String> cliArgs, Runnable onDeath) {
        List<String> args = new ArrayList<>(cliArgs);
        args.add("--exit-with-parent");
        List<String> command = ChildProcess.javaCommand(ChildProcess.currentJava(), classpath, heapMb, name, args);
        ChildProcess child = ChildProcess.start(name, command, config.logDir().resolve(name + ".log"), config.dataDir(), onDeath);
        started.put(name, child);
        Orphans.record(runDir, child);
    }
}
