package io.understudy.failoverswitch;

import io.understudy.cluster.config.ConfigException;
import io.understudy.cluster.config.LogSettings;
import io.understudy.cluster.config.Settings;
import io.understudy.cluster.zk.ZkAuth;
import io.understudy.cluster.zk.ZkPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The switch's configuration, validated once at start.
 *
 * @param clusterName           ZooKeeper namespace {@code /understudy/<clusterName>}
 * @param zookeeperConnect      ZooKeeper connect string, {@code host:port[,host:port...]}
 * @param zkSessionTimeoutMs    requested ZooKeeper session timeout
 * @param zkConnectionTimeoutMs how long to wait for a ZooKeeper connection, also at start
 * @param host                  address the client listener binds to
 * @param port                  client port; 0 picks a free one (tests)
 * @param ioThreads             Undertow IO threads; the proxy never blocks them and uses no others
 * @param limits                bounds on holding, buffering, sizes and slow clients
 * @param tls                   the client listener's keystore, or null for plain HTTP
 * @param adminToken            bearer token for admin actions, or null (actions then answer 403)
 * @param accessLog             log one line per request to the {@code understudy.access} logger
 * @param trustForwarded        keep and extend inbound {@code X-Forwarded-*} (a trusted load balancer
 *                              is in front); false overwrites them (the switch is the edge)
 * @param zookeeperAuth         digest credentials for Understudy's znodes ({@code zookeeper.auth}), or null
 * @param nodeToken             the token sent to the nodes on every request ({@code switch.nodeToken}, the nodes'
 *                              {@code api.token}), or null
 */
public record SwitchConfig(
        String clusterName,
        String zookeeperConnect,
        int zkSessionTimeoutMs,
        int zkConnectionTimeoutMs,
        String host,
        int port,
        int ioThreads,
        Limits limits,
        Tls tls,
        String adminToken,
        boolean accessLog,
        boolean trustForwarded,
        ZkAuth zookeeperAuth,
        String nodeToken) {

    /**
     * @param holdTimeoutMs         how long a request may wait for a primary that takes it; 0 = never hold
     * @param maxHeldRequests       requests waiting at once; past it, 503 at once
     * @param maxBufferedBytes      request bodies kept in memory for retries, all requests together;
     *                              past it, new bodies are streamed (and not retried once sent)
     * @param retryBodyBytes        largest single request body kept for a retry; larger ones are streamed
     * @param maxBodyBytes          largest request body accepted at all (413 beyond)
     * @param maxHeaderBytes        largest request head accepted (431 beyond)
     * @param requestParseTimeoutMs time a client may take to send a request head (slow clients)
     * @param keepAliveTimeoutMs    idle time of a kept-alive client connection between requests
     * @param idleTimeoutMs         time a connection may see no I/O at all; must exceed the hold timeout
     * @param backendTimeoutMs      upper bound for one attempt at a node, from sending to the end of the response;
     *                              long, for slow legitimate requests: a primary that stops answering during a
     *                              failover is given up on when the new epoch is routed, not by this timeout
     * @param oldPrimaryGraceMs     how long a request already sent to the old primary may still wait for its answer
     *                              once a primary of a newer epoch is routed; then it is abandoned and sent again
     *                              if that is safe, else answered 503 {@code outcome_unknown}
     * @param backendIdlePerThread  idle pooled connections to the primary kept per IO thread
     */
    public record Limits(int holdTimeoutMs, int maxHeldRequests, long maxBufferedBytes, int retryBodyBytes,
            long maxBodyBytes, int maxHeaderBytes, int requestParseTimeoutMs, int keepAliveTimeoutMs,
            int idleTimeoutMs, int backendTimeoutMs, int oldPrimaryGraceMs, int backendIdlePerThread) {
    }

    /** A keystore holding the switch's key and certificate for client TLS. */
    public record Tls(Path keystore, String password, String type) {
        @Override
        public String toString() {
            return "Tls[" + keystore + ", " + type + "]";
        }
    }

    public static final String CLUSTER_NAME = "cluster.name";
    public static final String ZK_CONNECT = "zookeeper.connect";
    public static final String ZK_SESSION_TIMEOUT = "zookeeper.sessionTimeoutMs";
    public static final String ZK_CONNECTION_TIMEOUT = "zookeeper.connectionTimeoutMs";
    public static final String HOST = "switch.host";
    public static final String PORT = "switch.port";
    public static final String IO_THREADS = "switch.ioThreads";
    public static final String HOLD_TIMEOUT = "switch.holdTimeoutMs";
    public static final String MAX_HELD = "switch.maxHeldRequests";
    public static final String MAX_BUFFERED = "switch.maxBufferedBytes";
    public static final String RETRY_BODY = "switch.retryBodyBytes";
    public static final String MAX_BODY = "switch.maxBodyBytes";
    public static final String MAX_HEADER = "switch.maxHeaderBytes";
    public static final String PARSE_TIMEOUT = "switch.requestParseTimeoutMs";
    public static final String KEEP_ALIVE_TIMEOUT = "switch.keepAliveTimeoutMs";
    public static final String IDLE_TIMEOUT = "switch.idleTimeoutMs";
    public static final String BACKEND_TIMEOUT = "switch.backendTimeoutMs";
    public static final String OLD_PRIMARY_GRACE = "switch.oldPrimaryGraceMs";
    public static final String BACKEND_IDLE = "switch.backendIdleConnections";
    public static final String TLS_KEYSTORE = "switch.tls.keystore";
    public static final String TLS_PASSWORD = "switch.tls.keystorePassword";
    public static final String TLS_TYPE = "switch.tls.keystoreType";
    public static final String ADMIN_TOKEN = "switch.adminToken";
    public static final String ACCESS_LOG = "switch.accessLog";
    public static final String TRUST_FORWARDED = "switch.trustForwardedHeaders";
    public static final String NODE_TOKEN = "switch.nodeToken";

    /** Every key the switch reads, {@link LogSettings#KEYS} included; any other key in its file is a typo and fails the start. */
    public static final Set<String> KEYS = Set.of(CLUSTER_NAME, ZK_CONNECT, ZK_SESSION_TIMEOUT, ZK_CONNECTION_TIMEOUT,
            HOST, PORT, IO_THREADS, HOLD_TIMEOUT, MAX_HELD, MAX_BUFFERED, RETRY_BODY, MAX_BODY, MAX_HEADER,
            PARSE_TIMEOUT, KEEP_ALIVE_TIMEOUT, IDLE_TIMEOUT, BACKEND_TIMEOUT, OLD_PRIMARY_GRACE, BACKEND_IDLE,
            TLS_KEYSTORE, TLS_PASSWORD, TLS_TYPE, ADMIN_TOKEN, ACCESS_LOG, TRUST_FORWARDED, LogSettings.FORMAT, ZkAuth.KEY,
            NODE_TOKEN);

    private static final Pattern ZK_CONNECT_STRING =
            Pattern.compile("[A-Za-z0-9.\\-\\[\\]:]+:\\d{1,5}(,[A-Za-z0-9.\\-\\[\\]:]+:\\d{1,5})*(/[A-Za-z0-9_./-]*)?");
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9.\\-:]+");
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._~+/=-]{16,512}");
    private static final long GIB = 1L << 30;

    /**
     * One IO thread per core, but one alone on one or two cores: there the switch shares the cores with the
     * nodes and PostgreSQL, one IO thread serves far more requests than a node answers, and a second one costs
     * CPU per request (it takes turns with the first on a busy core; docs/switch-latency.md has the figures).
     */
    static int defaultIoThreads(int cores) {
        return cores <= 2 ? 1 : cores;
    }

    /** @throws ConfigException naming the source and the key, on the first bad or unknown key */
    public static SwitchConfig from(Settings settings) {
        settings.rejectUnknownKeys(KEYS);
        LogSettings.from(settings); // applied by the launcher before logging starts; validated here with the rest
        Limits limits = limits(settings);
        String token = token(settings, ADMIN_TOKEN);
        String nodeToken = token(settings, NODE_TOKEN);
        return new SwitchConfig(
                settings.matching(CLUSTER_NAME, "local", SwitchConfig::isZnodeName,
                        "must be a znode name (letters, digits, '_', '.', '-')"),
                settings.matching(ZK_CONNECT, null, s -> ZK_CONNECT_STRING.matcher(s).matches(),
                        "must be host:port[,host:port...]"),
                settings.intValue(ZK_SESSION_TIMEOUT, 4000, 1000, 600_000),
                settings.intValue(ZK_CONNECTION_TIMEOUT, 2000, 100, 600_000),
                settings.matching(HOST, "127.0.0.1", s -> HOST_NAME.matcher(s).matches(), "must be a host name or IP address"),
                settings.intValue(PORT, 8080, 0, 65535),
                settings.intValue(IO_THREADS, defaultIoThreads(Runtime.getRuntime().availableProcessors()), 1, 256),
                limits,
                tls(settings),
                token,
                settings.bool(ACCESS_LOG, true),
                settings.bool(TRUST_FORWARDED, false),
                ZkAuth.from(settings),
                nodeToken);
    }

    private static String token(Settings settings, String key) {
        String token = settings.string(key, null);
        if (token != null && !TOKEN.matcher(token).matches()) {
            throw new ConfigException(settings.source(), key,
                    "must be 16-512 characters of letters, digits and ._~+/=- (value not shown)");
        }
        return token;
    }

    private static Limits limits(Settings s) {
        int hold = s.intValue(HOLD_TIMEOUT, 5000, 0, 600_000);
        long maxBody = s.longValue(MAX_BODY, GIB, 0, 1024 * GIB);
        int retryBody = s.intValue(RETRY_BODY, 1 << 20, 0, 256 << 20);
        int idle = s.intValue(IDLE_TIMEOUT, Math.max(120_000, hold * 2), 1000, 86_400_000);
        if (idle <= hold) {
            throw new ConfigException(s.source(), IDLE_TIMEOUT, "must be longer than " + HOLD_TIMEOUT + " (" + hold
                    + " ms), or held requests would be cut off, got " + idle);
        }
        return new Limits(hold,
                s.intValue(MAX_HELD, 1000, 0, 1_000_000),
                s.longValue(MAX_BUFFERED, 64L << 20, 0, 64 * GIB),
                (int) Math.min(retryBody, maxBody),
                maxBody,
                s.intValue(MAX_HEADER, 16 << 10, 1024, 1 << 20),
                s.intValue(PARSE_TIMEOUT, 10_000, 100, 600_000),
                s.intValue(KEEP_ALIVE_TIMEOUT, 60_000, 100, 86_400_000),
                idle,
                s.intValue(BACKEND_TIMEOUT, 30_000, 1, 86_400_000),
                s.intValue(OLD_PRIMARY_GRACE, 500, 0, 600_000),
                s.intValue(BACKEND_IDLE, 256, 0, 100_000));
    }

    private static Tls tls(Settings s) {
        Path keystore = s.path(TLS_KEYSTORE, null);
        if (keystore == null) {
            return null;
        }
        if (!Files.isReadable(keystore)) {
            throw new ConfigException(s.source(), TLS_KEYSTORE, "cannot read keystore file " + keystore);
        }
        String type = s.matching(TLS_TYPE, "PKCS12", t -> t.equalsIgnoreCase("PKCS12") || t.equalsIgnoreCase("JKS"),
                "must be PKCS12 or JKS");
        return new Tls(keystore, s.string(TLS_PASSWORD), type);
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
                ioThreads, limits, tls, adminToken, accessLog, trustForwarded, zookeeperAuth, nodeToken);
    }

    @Override
    public String toString() {
        return "SwitchConfig[cluster=" + clusterName + ", zookeeper=" + zookeeperConnect + ", listen=" + host + ":" + port
                + ", ioThreads=" + ioThreads + ", " + limits + ", tls=" + tls + ", adminToken="
                + (adminToken == null ? "none" : "set") + ", accessLog=" + accessLog + ", zookeeperAuth=" + zookeeperAuth
                + ", nodeToken=" + (nodeToken == null ? "none" : "set") + "]";
    }
}
