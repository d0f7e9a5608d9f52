package io.understudy.failoverswitch;

import io.understudy.cluster.config.ConfigException;
import io.understudy.cluster.config.Settings;
import io.understudy.cluster.zk.ZkPaths;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The switch's configuration, validated once at start.
 *
 * @param clusterName           ZooKeeper namespace {@code /understudy/<clusterName>}
 * @param zookeeperConnect      ZooKeeper connect string, {@code host:port[,host:port...]}
 * @param zkSessionTimeoutMs    requested ZooKeeper session timeout
 * @param zkConnectionTimeoutMs how long to wait for a ZooKeeper connection, also at start
 * @param host                  address the HTTP listener binds to
 * @param port                  HTTP port; 0 picks a free one (tests)
 * @param holdTimeoutMs         how long a request waits for a live primary before a 503; 0 = never hold
 * @param maxHeldRequests       how many requests may wait at once; past it, 503 at once
 * @param backendTimeoutMs      upper bound for one forwarded request, from forwarding to the end of the response
 * @param ioThreads             Undertow IO threads (the proxy never blocks them)
 */
public record SwitchConfig(
        String clusterName,
        String zookeeperConnect,
        int zkSessionTimeoutMs,
        int zkConnectionTimeoutMs,
        String host,
        int port,
        int holdTimeoutMs,
        int maxHeldRequests,
        int backendTimeoutMs,
        int ioThreads) {

    public static final String CLUSTER_NAME = "cluster.name";
    public static final String ZK_CONNECT = "zookeeper.connect";
    public static final String ZK_SESSION_TIMEOUT = "zookeeper.sessionTimeoutMs";
    public static final String ZK_CONNECTION_TIMEOUT = "zookeeper.connectionTimeoutMs";
    public static final String HOST = "switch.host";
    public static final String PORT = "switch.port";
    public static final String HOLD_TIMEOUT = "switch.holdTimeoutMs";
    public static final String MAX_HELD = "switch.maxHeldRequests";
    public static final String BACKEND_TIMEOUT = "switch.backendTimeoutMs";
    public static final String IO_THREADS = "switch.ioThreads";

    /** Every key the switch reads; any other key in its file is a typo and fails the start. */
    public static final Set<String> KEYS = Set.of(CLUSTER_NAME, ZK_CONNECT, ZK_SESSION_TIMEOUT, ZK_CONNECTION_TIMEOUT,
            HOST, PORT, HOLD_TIMEOUT, MAX_HELD, BACKEND_TIMEOUT, IO_THREADS);

    private static final Pattern ZK_CONNECT_STRING =
            Pattern.compile("[A-Za-z0-9.\\-\\[\\]:]+:\\d{1,5}(,[A-Za-z0-9.\\-\\[\\]:]+:\\d{1,5})*(/[A-Za-z0-9_./-]*)?");
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9.\\-:]+");

    /** @throws ConfigException naming the source and the key, on the first bad or unknown key */
    public static SwitchConfig from(Settings settings) {
        settings.rejectUnknownKeys(KEYS);
        return new SwitchConfig(
                settings.matching(CLUSTER_NAME, "local", SwitchConfig::isZnodeName,
                        "must be a znode name (letters, digits, '_', '.', '-')"),
                settings.matching(ZK_CONNECT, null, s -> ZK_CONNECT_STRING.matcher(s).matches(),
                        "must be host:port[,host:port...]"),
                settings.intValue(ZK_SESSION_TIMEOUT, 4000, 1000, 600_000),
                settings.intValue(ZK_CONNECTION_TIMEOUT, 2000, 100, 600_000),
                settings.matching(HOST, "127.0.0.1", s -> HOST_NAME.matcher(s).matches(), "must be a host name or IP address"),
                settings.intValue(PORT, 8080, 0, 65535),
                settings.intValue(HOLD_TIMEOUT, 5000, 0, 600_000),
                settings.intValue(MAX_HELD, 1000, 0, 1_000_000),
                settings.intValue(BACKEND_TIMEOUT, 30_000, 1, 86_400_000),
                settings.intValue(IO_THREADS, 2, 1, 256));
    }

    private static boolean isZnodeName(String name) {
        try {
            ZkPaths.requireName("cluster name", name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Same configuration listening on another port (tests and the launcher pick free ports). */
    public SwitchConfig withPort(int newPort) {
        return new SwitchConfig(clusterName, zookeeperConnect, zkSessionTimeoutMs, zkConnectionTimeoutMs, host, newPort,
                holdTimeoutMs, maxHeldRequests, backendTimeoutMs, ioThreads);
    }
}
