package io.understudy.launcher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Everything the local appliance needs to know: where its state lives and which loopback ports it
 * uses. ZooKeeper server {@code n} (1..3) listens for clients on {@code zkClientPortBase + n - 1},
 * for followers on {@code zkQuorumPortBase + n - 1} and for leader election on
 * {@code zkElectionPortBase + n - 1}. Node {@code a} pairs with the first API and PostgreSQL port,
 * node {@code b} with the second.
 */
public record ApplianceConfig(
        Path dataDir,
        String clusterName,
        int switchPort,
        int nodeApiPortA,
        int nodeApiPortB,
        int pgPortA,
        int pgPortB,
        int zkClientPortBase,
        int zkQuorumPortBase,
        int zkElectionPortBase) {

    public static final String HOST = "127.0.0.1";
    public static final List<String> NODE_IDS = List.of("a", "b");
    public static final int ZK_SERVERS = 3;
    private static final Pattern CLUSTER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");

    /** The local appliance's default ports and data dir, as the README documents them. */
    public static ApplianceConfig defaults(Path dataDir) {
        return new ApplianceConfig(dataDir, "local", 8080, 8081, 8082, 15432, 15433, 12181, 12281, 12381);
    }

    /** @throws IllegalArgumentException naming the option that is wrong */
    public ApplianceConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        dataDir = dataDir.toAbsolutePath().normalize();
        if (clusterName == null || !CLUSTER_NAME.matcher(clusterName).matches()) {
            throw new IllegalArgumentException("--cluster must be 1-63 letters, digits, '-' or '_', got '" + clusterName + "'");
        }
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("--switch-port", switchPort);
        ports.put("--node-a-port", nodeApiPortA);
        ports.put("--node-b-port", nodeApiPortB);
        ports.put("--pg-port-a", pgPortA);
        ports.put("--pg-port-b", pgPortB);
        ports.put("--zk-port", zkClientPortBase);
        ports.put("--zk-quorum-port", zkQuorumPortBase);
        ports.put("--zk-election-port", zkElectionPortBase);
        for (Map.Entry<String, Integer> port : ports.entrySet()) {
            int last = port.getKey().startsWith("--zk") ? port.getValue() + ZK_SERVERS - 1 : port.getValue();
            if (port.getValue() < 1 || last > 65535) {
                throw new IllegalArgumentException(port.getKey() + " must be between 1 and 65535, got " + port.getValue());
            }
        }
        List<Integer> all = allPorts(switchPort, nodeApiPortA, nodeApiPortB, pgPortA, pgPortB,
                zkClientPortBase, zkQuorumPortBase, zkElectionPortBase);
        Set<Integer> seen = new HashSet<>();
        for (int port : all) {
            if (!seen.add(port)) {
                throw new IllegalArgumentException("port " + port + " is used twice; every service needs its own port");
            }
        }
    }

    /** Every TCP port the appliance will listen on, so they can all be checked before anything starts. */
    public List<Integer> ports() {
        return List.copyOf(portUses().keySet());
    }

    /** Each port with what listens on it and the option that sets it, for error messages. */
    public Map<Integer, String> portUses() {
        Map<Integer, String> uses = new LinkedHashMap<>();
        uses.put(switchPort, "failover switch (--switch-port)");
        uses.put(nodeApiPortA, "node a API (--node-a-port)");
        uses.put(nodeApiPortB, "node b API (--node-b-port)");
        uses.put(pgPortA, "PostgreSQL a (--pg-port-a)");
        uses.put(pgPortB, "PostgreSQL b (--pg-port-b)");
        for (int i = 0; i < ZK_SERVERS; i++) {
            uses.put(zkClientPortBase + i, "ZooKeeper " + (i + 1) + " clients (--zk-port)");
            uses.put(zkQuorumPortBase + i, "ZooKeeper " + (i + 1) + " followers (--zk-quorum-port)");
            uses.put(zkElectionPortBase + i, "ZooKeeper " + (i + 1) + " election (--zk-election-port)");
        }
        return uses;
    }

    private static List<Integer> allPorts(int switchPort, int apiA, int apiB, int pgA, int pgB,
                                          int zkClient, int zkQuorum, int zkElection) {
        List<Integer> ports = new ArrayList<>(List.of(switchPort, apiA, apiB, pgA, pgB));
        for (int i = 0; i < ZK_SERVERS; i++) {
            ports.add(zkClient + i);
            ports.add(zkQuorum + i);
            ports.add(zkElection + i);
        }
        return ports;
    }

    /** {@code 127.0.0.1:c1,127.0.0.1:c2,127.0.0.1:c3}: the connect string every child gets. */
    public String zookeeperConnect() {
        List<String> servers = new ArrayList<>();
        for (int i = 0; i < ZK_SERVERS; i++) {
            servers.add(HOST + ":" + (zkClientPortBase + i));
        }
        return String.join(",", servers);
    }

    public int nodeApiPort(String nodeId) {
        return switch (requireNode(nodeId)) {
            case "a" -> nodeApiPortA;
            default -> nodeApiPortB;
        };
    }

    public int pgPort(String nodeId) {
        return switch (requireNode(nodeId)) {
            case "a" -> pgPortA;
            default -> pgPortB;
        };
    }

    public String switchUrl() {
        return "http://" + HOST + ":" + switchPort;
    }

    public String nodeApiUrl(String nodeId) {
        return "http://" + HOST + ":" + nodeApiPort(nodeId);
    }

    public Path zookeeperDir(int serverId) {
        return dataDir.resolve("zookeeper").resolve(Integer.toString(serverId));
    }

    public Path postgresDir(String nodeId) {
        return dataDir.resolve("postgres").resolve(requireNode(nodeId));
    }

    public Path nodeDataDir(String nodeId) {
        return dataDir.resolve("node").resolve(requireNode(nodeId));
    }

    public Path confDir() {
        return dataDir.resolve("conf");
    }

    public Path logDir() {
        return dataDir.resolve("logs");
    }

    private static String requireNode(String nodeId) {
        if (!NODE_IDS.contains(nodeId)) {
            throw new IllegalArgumentException("unknown node '" + nodeId + "', the local appliance has " + NODE_IDS);
        }
        return nodeId;
    }
}
