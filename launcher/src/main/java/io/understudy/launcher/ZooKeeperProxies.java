package io.understudy.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@link FaultProxy} per node and ZooKeeper server, so a drill can cut one node off from the
 * whole ensemble while the other nodes and the switch keep their links. Each node's
 * {@code zookeeper.connect} names its own proxies. Thread-safe.
 */
final class ZooKeeperProxies implements AutoCloseable {

    private final ApplianceConfig config;
    private final Map<String, List<FaultProxy>> byNode = new ConcurrentHashMap<>();

    ZooKeeperProxies(ApplianceConfig config, Collection<String> nodeIds) {
        this.config = config;
        try {
            for (String node : nodeIds) {
                add(node);
            }
        } catch (UncheckedIOException e) {
            close();
            throw e;
        }
    }

    /** Opens the proxies of node {@code nodeId} (one that joins a running appliance); idempotent. */
    void add(String nodeId) {
        byNode.computeIfAbsent(nodeId, node -> {
            List<FaultProxy> proxies = new ArrayList<>();
            try {
                for (int i = 0; i < ApplianceConfig.ZK_SERVERS; i++) {
                    proxies.add(new FaultProxy("zk" + (i + 1) + "-for-" + node, config.zkClientPortBase() + i));
                }
            } catch (IOException e) {
                proxies.forEach(FaultProxy::close);
                throw new UncheckedIOException("cannot open the ZooKeeper fault proxies of node " + node, e);
            }
            return proxies;
        });
    }

    /** Closes the proxies of a node that left the appliance. */
    void remove(String nodeId) {
        List<FaultProxy> proxies = byNode.remove(nodeId);
        if (proxies != null) {
            proxies.forEach(FaultProxy::close);
        }
    }

    /** The {@code zookeeper.connect} value that sends node {@code nodeId} through its proxies. */
    String connectString(String nodeId) {
        return String.join(",", proxies(nodeId).stream().map(p -> ApplianceConfig.HOST + ":" + p.port()).toList());
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
            throw new IllegalArgumentException("no ZooKeeper proxies for node '" + nodeId + "'; the appliance has "
                    + byNode.keySet());
        }
        return proxies;
    }

    @Override
    public void close() {
        byNode.values().forEach(list -> list.forEach(FaultProxy::close));
        byNode.clear();
    }
}
