package io.understudy.node;

import io.understudy.cluster.config.ConfigException;
import io.understudy.cluster.config.LogSettings;
import io.understudy.cluster.config.Settings;
import io.understudy.cluster.zk.ZkPaths;
import io.understudy.node.app.GatewaySettings;
import io.understudy.node.appfiles.AppFilesSettings;
import io.understudy.node.duties.DutySettings;
import io.understudy.node.hooks.HookSettings;
import io.understudy.node.replication.ReplicationSettings;
import io.understudy.node.replication.ScopeSettings;
import io.understudy.node.role.Fitness;
import io.understudy.node.supervise.SupervisionSettings;
import io.understudy.replicator.ReplicatorConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.Set;

/**
 * A node's configuration, validated at start. Keys (file {@code node-<id>.properties}, each
 * overridable by {@code UNDERSTUDY_<KEY>} in the environment) are the record components' sources;
 * Ansible's {@code roles/node/defaults/main.yml} mirrors them.
 */
public record NodeConfig(
        String nodeId,
        String clusterName,
        String zookeeperConnect,
        int zookeeperSessionTimeoutMs,
        int zookeeperConnectionTimeoutMs,
        String apiHost,
        int apiPort,
        String apiAdvertisedUrl,
        String dbUrl,
        String dbUser,
        String dbPassword,
        int dbPoolSize,
        String dbAdvertisedAddress,
        String replicationUser,
        String replicationPassword,
        long replicationPollIntervalMs,
        long replicationHeartbeatIntervalMs,
        long drainTimeoutMs,
        ReplicationSettings replication,
        ScopeSettings scope,
        long maxObjectBytes,
        long maxFileBytes,
        Path dataDir,
        Fitness.Tags tags,
        long dbFailTimeoutMs,
        HookSettings hooks,
        SupervisionSettings supervision,
        DutySettings duties,
        NodeSecurity security,
        GatewaySettings app,
        AppFilesSettings appFiles) {

    /**
     * Connections to the node's database: as many as the API's default worker threads (16 on two cores), so a write
     * never waits for a connection while a worker is free; PostgreSQL commits the concurrent writes with one WAL flush.
     */
    static final int DEFAULT_POOL_SIZE = 16;

    public static final Set<String> KEYS = keys(
            "node.id", "cluster.name", "zookeeper.connect", "zookeeper.sessionTimeoutMs",
            "zookeeper.connectionTimeoutMs", "api.host", "api.port", "api.advertisedUrl", "db.url", "db.user",
            "db.password", "db.poolSize", "db.advertisedAddress", "replication.user", "replication.password",
            "replication.pollIntervalMs", "replication.heartbeatIntervalMs", "replication.drainTimeoutMs",
            "api.maxObjectBytes", "api.maxFileBytes", "data.dir", "tags.nofailover", "tags.priority", "db.failTimeoutMs");

    public static NodeConfig from(Settings s) {
        s.rejectUnknownKeys(KEYS, DutySettings::isDutyKey, DutySettings.KEYS_TEXT);
        LogSettings.from(s); // applied by the launcher before logging starts; validated here with the rest
        String nodeId = s.matching("node.id", null, NodeConfig::validName,
                "must be 1-63 letters, digits, '_', '.' or '-', starting with a letter or digit");
        String host = s.string("api.host", "127.0.0.1");
        int port = s.port("api.port", 8081);
        String dbUrl = s.matching("db.url", null, u -> u.startsWith("jdbc:postgresql://"),
                "must be a jdbc:postgresql://host:port/database URL");
        String dbUser = s.string("db.user", "postgres");
        String dbPassword = s.string("db.password", "");
        return new NodeConfig(
                nodeId,
                s.matching("cluster.name", "local", NodeConfig::validName, "must be a valid znode name"),
                s.string("zookeeper.connect"),
                // Most of an unplanned failover; the ensemble's minSessionTimeout (2 ticks) must allow it.
                s.intValue("zookeeper.sessionTimeoutMs", 1800, 1000, 120_000),
                s.intValue("zookeeper.connectionTimeoutMs", 1800, 100, 120_000),
                host,
                port,
                s.httpUrl("api.advertisedUrl", "http://" + host + ":" + port),
                dbUrl,
                dbUser,
                dbPassword,
                s.intValue("db.poolSize", DEFAULT_POOL_SIZE, 2, 200),
                s.string("db.advertisedAddress", dbAddressOf(s, dbUrl)),
                s.string("replication.user", dbUser),
                s.string("replication.password", dbPassword),
                s.longValue("replication.pollIntervalMs", ReplicatorConfig.DEFAULT_POLL_INTERVAL_MS, 1, 5000),
                s.longValue("replication.heartbeatIntervalMs", 1000, 100, 600_000),
                s.longValue("replication.drainTimeoutMs", 5000, 0, 600_000),
                ReplicationSettings.from(s),
                ScopeSettings.from(s),
                s.longValue("api.maxObjectBytes", 16L << 20, 1, 1L << 30),
                s.longValue("api.maxFileBytes", 1L << 30, 1, 1L << 40),
                s.path("data.dir", Path.of("data", "node", nodeId)),
                // tags.nofailover: never primary; tags.priority: higher preferred, 0 never automatically (see Fitness.Tags)
                new Fitness.Tags(s.bool("tags.nofailover", false),
                        s.intValue("tags.priority", Fitness.Tags.DEFAULT.priority(), 0, 1_000_000)),
                // how long a primary's own database may not answer before it steps down
                s.longValue("db.failTimeoutMs", 3000, 500, 600_000),
                HookSettings.from(s),
                SupervisionSettings.from(s),
                DutySettings.from(s),
                NodeSecurity.from(s),
                GatewaySettings.from(s, host, port, java.util.List.of(dbUser, s.string("replication.user", dbUser))),
                AppFilesSettings.from(s));
    }

    /** The node's own keys plus those of the feature settings ({@link ReplicationSettings#KEYS} ..., documented there). */
    private static Set<String> keys(String... own) {
        Set<String> all = new java.util.HashSet<>(Set.of(own));
        all.addAll(ReplicationSettings.KEYS);
        all.addAll(ScopeSettings.KEYS);
        all.addAll(HookSettings.KEYS);
        all.addAll(SupervisionSettings.KEYS);
        all.addAll(LogSettings.KEYS);
        all.addAll(NodeSecurity.KEYS);
        all.addAll(GatewaySettings.KEYS);
        all.addAll(AppFilesSettings.KEYS);
        return Set.copyOf(all);
    }

    private static boolean validName(String name) {
        try {
            ZkPaths.requireName("name", name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** {@code jdbc:postgresql://h:p/db?x} → {@code h:p/db}, what secondaries stream from. */
    private static String dbAddressOf(Settings s, String dbUrl) {
        URI uri = URI.create(dbUrl.substring("jdbc:".length()));
        String db = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
        if (uri.getHost() == null) {
            throw new ConfigException(s.source(), "db.url", "has no host: '" + dbUrl + "'");
        }
        return uri.getHost() + ":" + (uri.getPort() < 0 ? 5432 : uri.getPort()) + "/" + db;
    }

    /** Replication slot and publication name on the primary's database for this node. */
    public String replicationName() {
        return "understudy_" + nodeId.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    }
}
