package io.understudy.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code key=value} files the node and switch processes read with {@code --config}. The
 * rendering is pure; {@link #write} replaces a file atomically so a child never reads half a file.
 */
public final class ChildConfigs {

    /**
     * Nodes hold their ZooKeeper session this long; the ensemble must allow it (see EmbeddedEnsemble).
     * It is most of an unplanned failover: a killed primary's session ends 1.8-1.9 s after its last
     * contact, which the lease keeps under 0.3 s old, and the secondary then promotes and the
     * switch routes in about 0.1-0.2 s: p50 about 1.9 s, max about 2.3 s ("p50 &le; 2 s, max &le;
     * 3 s"). Not shorter, for what it must survive: Curator calls a session lost once its
     * connection has been suspended for one session timeout, and losing the ZooKeeper leader costs
     * an election (0.1-0.3 s, more on a loaded machine) plus the ZooKeeper client's random
     * 0-1000 ms back-off before each reconnect attempt; a 500 ms freeze must stay well inside the
     * client's read timeout (2/3 = 1.2 s). See README "Timings".
     */
    public static final int NODE_SESSION_TIMEOUT_MS = 1800;
    /** Curator warns when the connection timeout exceeds the session; nothing waits longer than a session to connect. */
    public static final int NODE_CONNECTION_TIMEOUT_MS = NODE_SESSION_TIMEOUT_MS;
    /**
     * How long the switch holds requests while there is no reachable primary before answering 503:
     * comfortably above the slowest unplanned failover (about 2.3 s on an idle machine, 3 s allowed),
     * so that clients of a failover see latency, not errors, even on a loaded machine.
     */
    public static final int SWITCH_HOLD_TIMEOUT_MS = 5000;
    /** How long an idle replication stream sleeps between reads: the floor of replication latency (see docs/replication-speed.md). */
    public static final int REPLICATION_POLL_MS = 2;

    private ChildConfigs() {
    }

    public static Map<String, String> node(ApplianceConfig config, String nodeId) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("node.id", nodeId);
        values.put("cluster.name", config.clusterName());
        values.put("zookeeper.connect", config.zookeeperConnect());
        values.put("zookeeper.sessionTimeoutMs", Integer.toString(NODE_SESSION_TIMEOUT_MS));
        values.put("zookeeper.connectionTimeoutMs", Integer.toString(NODE_CONNECTION_TIMEOUT_MS));
        values.put("api.host", ApplianceConfig.HOST);
        values.put("api.port", Integer.toString(config.nodeApiPort(nodeId)));
        values.put("db.url", "jdbc:postgresql://" + ApplianceConfig.HOST + ":" + config.pgPort(nodeId) + "/postgres");
        values.put("db.user", LocalPostgres.SUPERUSER);
        values.put("db.password", "");
        values.put("data.dir", config.nodeDataDir(nodeId).toString());
        values.put("replication.pollIntervalMs", Integer.toString(REPLICATION_POLL_MS));
        return values;
    }

    public static Map<String, String> failoverSwitch(ApplianceConfig config, String adminToken) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("cluster.name", config.clusterName());
        values.put("zookeeper.connect", config.zookeeperConnect());
        values.put("switch.host", ApplianceConfig.HOST);
        values.put("switch.port", Integer.toString(config.switchPort()));
        values.put("switch.holdTimeoutMs", Integer.toString(SWITCH_HOLD_TIMEOUT_MS));
        values.put("switch.adminToken", adminToken);
        return values;
    }

    public static Path nodeFile(ApplianceConfig config, String nodeId) {
        return config.confDir().resolve("node-" + nodeId + ".properties");
    }

    public static Path switchFile(ApplianceConfig config) {
        return config.confDir().resolve("switch.properties");
    }

    /**
     * Renders {@code values} in {@link java.util.Properties} syntax, in the given order. Keys are
     * plain identifiers; values are escaped so that {@code Properties.load} reads them back exactly.
     */
    public static String render(String header, Map<String, String> values) {
        StringBuilder text = new StringBuilder("# ").append(header).append('\n');
        values.forEach((key, value) -> text.append(key).append('=').append(escape(value)).append('\n'));
        return text.toString();
    }

    private static String escape(String value) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case ' ' -> out.append(i == 0 ? "\\ " : " ");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** Writes {@code values} to {@code file} atomically (temp file + rename in the same directory). */
    public static void write(Path file, String header, Map<String, String> values) {
        try {
            Files.createDirectories(file.getParent());
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(temp, render(header, values), StandardCharsets.UTF_8);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
