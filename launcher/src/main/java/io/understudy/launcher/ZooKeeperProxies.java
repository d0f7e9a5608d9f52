package io.understudy.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@link FaultProxy} per node and ZooKeeper server, so a drill can cut one node off from the
 * whole ensemble while the other node and the switch keep their links. Each node's
 * {@code zookeeper.connect} names its own proxies. Thread-safe.
 */
final class ZooKeeperProxies implements AutoCloseable {

    private final Map<String, List<FaultProxy>> byNode = new LinkedHashMap<>();

    ZooKeeperProxies(ApplianceConfig config) {
        try {
            for (String node : ApplianceConfig.NODE_IDS) {
                List<FaultProxy> proxies = new ArrayList<>();
                byNode.put(node, proxies);
                for (int i = 0; i < ApplianceConfig.ZK_SERVERS; i++) {
                    proxies.add(new FaultProxy("zk" + (i + 1) + "-for-" + node, config.zkClientPortBase() + i));
                }
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot open the ZooKeeper fault proxies", e);
        }
    }

    /** The {@code zookeeper.connect} value that sends node {@code nodeId} through its proxies. */
    String connectString(String nodeId) {
        return String.join(",", proxies(nodeId).stream().map(p -> ApplianceConfig.HOST + ":" + p.port()).toList());
    }

    /** Node overrides for {@link ChildLauncher#writeConfigs(ApplianceConfig, Map, io.understudy.cluster.config.LogSettings.Format)}. */
    Map<String, Map<String, String>> nodeOverrides() {
        Map<String, Map<String, String>> overrides = new LinkedHashMap<>();
        byNode.keySet().forEach(node -> overrides.put(node, Map.of("zookeeper.connect", connectString(node))));
        return overrides;
    }

    /**
     * Changes every proxy of the node; when cutting, a second pass drops connections the client
     * opened to a proxy not yet cut while the first pass went through the others.
     */
    void setMode(String nodeId, FaultProxy.Mode mode) {
        proxies(nodeId).forEach(p -> p.setMode(mode));
        if (mode != FaultProxy.Mode.PASS) {
            proxies(nodeId).forEach(p -> p.setMode(mode));
        }
    }

    private List<FaultProxy> proxies(String nodeId) {
        List<FaultProxy> proxies = byNode.get(nodeId);
        if (proxies == null) {
            throw new IllegalArgumentException("unknown node '" + nodeId + "', the local appliance has " + ApplianceConfig.NODE_IDS);
        }
        return proxies;
    }

    @Override
    public void close() {
        byNode.values().forEach(list -> list.forEach(FaultProxy::close));
    }
}
