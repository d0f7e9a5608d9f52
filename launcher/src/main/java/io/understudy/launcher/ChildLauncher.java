package io.understudy.launcher;

import io.understudy.cluster.config.LogSettings;
import io.understudy.cluster.config.LogSettings.Format;
import io.understudy.cluster.config.Settings;
import io.understudy.cluster.zk.SessionFile;
import io.understudy.node.Node;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the children's config files and starts the switch and the nodes in their own JVMs. Public for {@link #startNode}
 * alone: the benchmarks start their nodes exactly as the appliance does.
 */
public final class ChildLauncher {

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

    /**
     * @param nodeOverrides per node id, keys replacing or adding to the node's defaults (e.g. a proxied zookeeper.connect)
     * @param logFormat     how the nodes and the switch write their logs
     */
    static void writeConfigs(ApplianceConfig config, Map<String, Map<String, String>> nodeOverrides, Format logFormat) {
        for (String id : config.nodeIds()) {
            Map<String, String> values = new LinkedHashMap<>();
            values.put(LogSettings.FORMAT, logFormat.key());
            values.putAll(nodeOverrides.getOrDefault(id, Map.of()));
            writeNodeConfig(config, id, values);
        }
        Map<String, String> switchValues = ChildConfigs.failoverSwitch(config, AdminToken.loadOrCreate(config));
        switchValues.put(LogSettings.FORMAT, logFormat.key());
        ChildConfigs.write(ChildConfigs.switchFile(config), "failover switch, written by the local appliance at every start",
                switchValues);
    }

    static void writeNodeConfig(ApplianceConfig config, String id, Map<String, String> overrides) {
        Map<String, String> values = ChildConfigs.node(config, id);
        values.putAll(overrides);
        ChildConfigs.write(ChildConfigs.nodeFile(config, id), "node " + id + ", written by the local appliance at every start",
                values);
    }

    /** The appliance configures its children itself: UNDERSTUDY_* variables of its own environment are not passed on. */
    static void warnAboutIgnoredEnvironment() {
        List<String> ignored = System.getenv().keySet().stream()
                .filter(key -> key.startsWith(Settings.ENV_PREFIX)).sorted().toList();
        if (!ignored.isEmpty()) {
            LOG.warn("not passing {} to the nodes and the switch: the local appliance configures them itself", ignored);
        }
    }

    /** How to start the switch. */
    static Supervisor.Launch switchLaunch(ApplianceConfig config, String classpath, Path runDir) {
        return onExit -> start(config, classpath, runDir, SWITCH, SWITCH_HEAP_MB, false,
                List.of("switch", "--config", ChildConfigs.switchFile(config).toString()), onExit);
    }

    /** How to start node {@code id}. */
    static Supervisor.Launch nodeLaunch(ApplianceConfig config, String classpath, Path runDir, String id) {
        return onExit -> startNode(config, classpath, runDir, id, onExit);
    }

    /**
     * Starts node {@code id} in a JVM of its own, reading {@link ChildConfigs#nodeFile}, which must be written; its output
     * goes to {@code node-<id>.log} in the log dir and its pid file into {@code runDir}.
     *
     * @param classpath absolute entries: the child runs in the data dir
     */
    public static ChildProcess startNode(ApplianceConfig config, String classpath, Path runDir, String id,
                                         ChildProcess.ExitListener onExit) {
        return start(config, classpath, runDir, nodeName(id), NODE_HEAP_MB, true,
                List.of("node", "--config", ChildConfigs.nodeFile(config, id).toString()), onExit);
    }

    /**
     * A node process that died (kill -9, a crash) cannot close its ZooKeeper session, so its member record and election
     * latch would stay until the session times out. The appliance saw it die, so it will never write again: ending its
     * session now lets another node take over at once instead of a session timeout later.
     */
    static void endSessionOfDeadNode(ApplianceConfig config, String id) {
        if (SessionFile.closeDeadOwnersSession(config.zookeeperConnect(), config.nodeDataDir(id).resolve(Node.SESSION_FILE),
                SESSION_CLOSE_TIMEOUT_MS)) {
            LOG.info("closed the ZooKeeper session of dead {}: the cluster need not wait for it to time out", nodeName(id));
        }
    }

    private static ChildProcess start(ApplianceConfig config, String classpath, Path runDir, String name, int heapMb,
                                      boolean touchHeapAtStart, List<String> cliArgs, ChildProcess.ExitListener onExit) {
        List<String> args = new ArrayList<>(cliArgs);
        args.add("--exit-with-parent");
        List<String> command = ChildProcess.javaCommand(ChildProcess.currentJava(), classpath, heapMb, touchHeapAtStart, name,
                args);
        ChildProcess child = ChildProcess.start(name, command, config.logDir().resolve(name + ".log"), config.dataDir(), onExit);
        Orphans.record(runDir, child);
        return child;
    }
}
