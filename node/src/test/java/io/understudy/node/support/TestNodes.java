package io.understudy.node.support;

import io.understudy.cluster.config.Settings;
import io.understudy.node.NodeConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Node configurations for tests: free loopback ports, short timeouts. */
public final class TestNodes {

    private TestNodes() {
    }

    public static NodeConfig config(String id, String zk, EmbeddedPostgres pg, Path dataDir) throws IOException {
        return config(id, zk, pg, dataDir, Map.of());
    }

    /** With {@code extra} keys added or overriding the defaults, e.g. {@code tags.nofailover}. */
    public static NodeConfig config(String id, String zk, EmbeddedPostgres pg, Path dataDir, Map<String, String> extra)
            throws IOException {
        Map<String, String> m = new HashMap<>();
        m.put("node.id", id);
        m.put("cluster.name", "it");
        m.put("zookeeper.connect", zk);
        // Generous: on a starved 2-core CI machine a short session expires under a merely slow JVM.
        m.put("zookeeper.sessionTimeoutMs", "6000");
        m.put("api.port", Integer.toString(freePort()));
        m.put("db.url", Postgres.url(pg));
        m.put("data.dir", dataDir.resolve(id).toString());
        m.put("api.maxObjectBytes", "65536");
        m.put("api.maxFileBytes", "2000000");
        m.putAll(extra);
        return NodeConfig.from(Settings.of("test-node-" + id, m));
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
