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
import java.util.stream.IntStream;

/**
 * Everything the local appliance needs to know: where its state lives, which nodes it runs and which loopback ports it
 * uses. Node ids are single letters {@code a}..{@code i}; node {@code x} listens on {@code nodePortBase + index(x)}
 * and its PostgreSQL on {@code pgPortBase + index(x)}, with {@code index(a) = 0}, so a node keeps its ports when
 * others are added or removed. ZooKeeper server {@code n} (1..3) listens for clients on {@code zkClientPortBase + n - 1},
 * for followers on {@code zkQuorumPortBase + n - 1} and for leader election on {@code zkElectionPortBase + n - 1}.
 *
 * @param nodeIds the nodes this appliance runs, in id order
 */
public record ApplianceConfig(
        Path dataDir,
        String clusterName,
        int switchPort,
        int nodePortBase,
        int pgPortBase,
        List<String> nodeIds,
        int zkClientPortBase,
        int zkQuorumPortBase,
        int zkElectionPortBase) {

    public static final String HOST = "127.0.0.1";
    public static final int ZK_SERVERS = 3;
    /** A failover needs a secondary: fewer than two nodes is not an appliance. */
    public static final int MIN_NODES = 2;
    /** Node ids are the letters a..i: one letter each keeps ports, directories and logs readable. */
    public static final int MAX_NODES = 9;
    public static final int DEFAULT_NODES = 2;
    private static final Pattern CLUSTER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");

    /** The local appliance's default ports and data dir with the default two nodes, as the README documents them. */
    public static ApplianceConfig defaults(Path dataDir) {
        return new ApplianceConfig(dataDir, "local", 8080, 8081, 15432, firstIds(DEFAULT_NODES), 12181, 12281, 12381);
    }

    /** The ids of a new appliance of {@code count} nodes: a, b, c, ... @throws IllegalArgumentException outside 2..9 */
    public static List<String> firstIds(int count) {
        if (count < MIN_NODES || count > MAX_NODES) {
            throw new IllegalArgumentException("--nodes must be between " + MIN_NODES + " and " + MAX_NODES + ", got " + count);
        }
        return IntStream.range(0, count).mapToObj(ApplianceConfig::idAt).toList();
    }

    /** Every id a node of the local appliance may have, a..i. */
    public static List<String> allIds() {
        return IntStream.range(0, MAX_NODES).mapToObj(ApplianceConfig::idAt).toList();
    }

    private static String idAt(int index) {
        return String.valueOf((char) ('a' + index));
    }

    /** @throws IllegalArgumentException naming the option that is wrong */
    public ApplianceConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        dataDir = dataDir.toAbsolutePath().normalize();
        if (clusterName == null || !CLUSTER_NAME.matcher(clusterName).matches()) {
            throw new IllegalArgumentException("--cluster must be 1-63 letters, digits, '-' or '_', got '" + clusterName + "'");
        }
        Objects.requireNonNull(nodeIds, "nodeIds");
        for (String id : nodeIds) {
            if (!allIds().contains(id)) {
                throw new IllegalArgumentException("node ids are the letters a to " + idAt(MAX_NODES - 1) + ", got '" + id + "'");
            }
        }
        nodeIds = nodeIds.stream().distinct().sorted().toList();
        if (nodeIds.size() < MIN_NODES || nodeIds.size() > MAX_NODES) {
            throw new IllegalArgumentException("--nodes must be between " + MIN_NODES + " and " + MAX_NODES + ", got "
                    + nodeIds.size() + " " + nodeIds);
        }
        Map<String, int[]> ranges = new LinkedHashMap<>();
        ranges.put("--switch-port", new int[] {switchPort, switchPort});
        for (String id : nodeIds) {
            int index = id.charAt(0) - 'a';
            ranges.put("--node-port-base", new int[] {nodePortBase, nodePortBase + index});
            ranges.put("--pg-port-base", new int[] {pgPortBase, pgPortBase + index});
        }
        ranges.put("--zk-port", new int[] {zkClientPortBase, zkClientPortBase + ZK_SERVERS - 1});
        ranges.put("--zk-quorum-port", new int[] {zkQuorumPortBase, zkQuorumPortBase + ZK_SERVERS - 1});
        ranges.put("--zk-election-port", new int[] {zkElectionPortBase, zkElectionPortBase + ZK_SERVERS - 1});
        ranges.forEach((option, range) -> {
            if (range[0] < 1 || range[1] > 65535) {
                throw new IllegalArgumentException(option + " must leave its ports between 1 and 65535, got " + range[0]
                        + (range[1] == range[0] ? "" : " (up to " + range[1] + ")"));
            }
        });
        Set<Integer> seen = new HashSet<>();
        for (Map.Entry<Integer, String> use : portList(switchPort, nodePortBase, pgPortBase, nodeIds, zkClientPortBase,
                zkQuorumPortBase, zkElectionPortBase)) {
            if (!seen.add(use.getKey())) {
                throw new IllegalArgumentException("port " + use.getKey() + " is used twice; every service needs its own port");
            }
        }
    }

    /** The same appliance running {@code ids} instead (a node added or removed). */
    public ApplianceConfig withNodes(List<String> ids) {
        return new ApplianceConfig(dataDir, clusterName, switchPort, nodePortBase, pgPortBase, ids, zkClientPortBase,
                zkQuorumPortBase, zkElectionPortBase);
    }

    /** Every TCP port the appliance will listen on, so they can all be checked before anything starts. */
    public List<Integer> ports() {
        return List.copyOf(portUses().keySet());
    }

    /** Each port with what listens on it and the option that sets it, for error messages. */
    public Map<Integer, String> portUses() {
        return usesOf(switchPort, nodePortBase, pgPortBase, nodeIds, zkClientPortBase, zkQuorumPortBase, zkElectionPortBase);
    }

    /** The ports of node {@code nodeId} alone, with their uses. */
    public Map<Integer, String> portUses(String nodeId) {
        Map<Integer, String> uses = new LinkedHashMap<>();
        uses.put(nodeApiPort(nodeId), "node " + nodeId + " API (--node-port-base)");
        uses.put(pgPort(nodeId), "PostgreSQL " + nodeId + " (--pg-port-base)");
        return uses;
    }

    private static Map<Integer, String> usesOf(int switchPort, int nodePortBase, int pgPortBase, List<String> nodeIds,
                                               int zkClient, int zkQuorum, int zkElection) {
        Map<Integer, String> uses = new LinkedHashMap<>();
        portList(switchPort, nodePortBase, pgPortBase, nodeIds, zkClient, zkQuorum, zkElection)
                .forEach(use -> uses.putIfAbsent(use.getKey(), use.getValue()));
        return uses;
    }

    /** Every port with its use, in a fixed order; a port may appear twice here (the constructor refuses that). */
    private static List<Map.Entry<Integer, String>> portList(int switchPort, int nodePortBase, int pgPortBase,
                                                             List<String> nodeIds, int zkClient, int zkQuorum, int zkElection) {
        List<Map.Entry<Integer, String>> uses = new ArrayList<>();
        uses.add(Map.entry(switchPort, "failover switch (--switch-port)"));
        for (String id : nodeIds) {
            uses.add(Map.entry(nodePortBase + id.charAt(0) - 'a', "node " + id + " API (--node-port-base)"));
        }
        for (String id : nodeIds) {
            uses.add(Map.entry(pgPortBase + id.charAt(0) - 'a', "PostgreSQL " + id + " (--pg-port-base)"));
        }
        for (int i = 0; i < ZK_SERVERS; i++) {
            uses.add(Map.entry(zkClient + i, "ZooKeeper " + (i + 1) + " clients (--zk-port)"));
            uses.add(Map.entry(zkQuorum + i, "ZooKeeper " + (i + 1) + " followers (--zk-quorum-port)"));
            uses.add(Map.entry(zkElection + i, "ZooKeeper " + (i + 1) + " election (--zk-election-port)"));
        }
        return uses;
    }

    /** {@code 127.0.0.1:c1,127.0.0.1:c2,127.0.0.1:c3}: the connect string every child gets. */
    public String zookeeperConnect() {
        List<String> servers = new ArrayList<>();
        for (int i = 0; i < ZK_SERVERS; i++) {
            servers.add(HOST + ":" + (zkClientPortBase + i));
        }
        return String.join(",", servers);
    }

    /** The API port node {@code nodeId} has (or would have, once added). */
    public int nodeApiPort(String nodeId) {
        return nodePortBase + indexOf(nodeId);
    }

    public int pgPort(String nodeId) {
        return pgPortBase + indexOf(nodeId);
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
        return dataDir.resolve("postgres").resolve(nodeId(nodeId));
    }

    public Path nodeDataDir(String nodeId) {
        return dataDir.resolve("node").resolve(nodeId(nodeId));
    }

    public Path confDir() {
        return dataDir.resolve("conf");
    }

    public Path logDir() {
        return dataDir.resolve("logs");
    }

    /** Whether {@code nodeId} is one of the nodes this appliance runs. */
    public boolean runs(String nodeId) {
        return nodeIds.contains(nodeId);
    }

    private static int indexOf(String nodeId) {
        return nodeId(nodeId).charAt(0) - 'a';
    }

    /** @throws IllegalArgumentException unless {@code nodeId} is a possible id (a..i) */
    private static String nodeId(String nodeId) {
        if (nodeId == null || !allIds().contains(nodeId)) {
            throw new IllegalArgumentException("unknown node '" + nodeId + "': local appliance nodes are " + allIds());
        }
        return nodeId;
    }
}
