package io.understudy.replicator;

import io.understudy.cluster.config.ConfigException;
import io.understudy.replicator.apply.TableName;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One replication stream: which source database to read and where its Debezium offsets live.
 *
 * @param name                replication slot and publication name on the source ({@code [a-z0-9_]}, max 63)
 * @param sourceId            identity of the stream's source, e.g. {@code "a@1"} (primary node id @ epoch); a
 *                            new source id means a fresh sync
 * @param tables              schema-qualified tables to replicate; the target must have the same tables
 * @param offsetDir           directory for this stream's offset seed file (created if absent)
 * @param pollIntervalMs      how long the engine sleeps when the source has nothing new (sets latency; 10 is good)
 * @param heartbeatIntervalMs Debezium heartbeat interval; keeps the slot moving while tables are idle
 */
public record ReplicatorConfig(String name, String sourceId, String sourceHost, int sourcePort, String sourceDatabase,
                               String user, String password, List<String> tables, Path offsetDir,
                               long pollIntervalMs, long heartbeatIntervalMs) {

    public static final long DEFAULT_POLL_INTERVAL_MS = 10;
    public static final long DEFAULT_HEARTBEAT_INTERVAL_MS = 1000;

    private static final Pattern NAME = Pattern.compile("[a-z0-9_]{1,63}");

    public ReplicatorConfig {
        require(name != null && NAME.matcher(name).matches(), "name", "must match [a-z0-9_]{1,63}, got '" + name + "'");
        require(sourceId != null && !sourceId.isBlank(), "sourceId", "is required");
        require(sourceHost != null && !sourceHost.isBlank(), "sourceHost", "is required");
        require(sourcePort > 0 && sourcePort < 65536, "sourcePort", "must be 1..65535, got " + sourcePort);
        require(sourceDatabase != null && !sourceDatabase.isBlank(), "sourceDatabase", "is required");
        require(user != null && !user.isBlank(), "user", "is required");
        require(tables != null && !tables.isEmpty(), "tables", "must name at least one table");
        for (String table : tables) {
            require(table != null && table.contains("."), "tables", "must be schema-qualified, got '" + table + "'");
            try {
                TableName.parse(table);
            } catch (IllegalArgumentException e) {
                require(false, "tables", e.getMessage());
            }
        }
        require(offsetDir != null, "offsetDir", "is required");
        require(pollIntervalMs > 0, "pollIntervalMs", "must be > 0, got " + pollIntervalMs);
        require(heartbeatIntervalMs > 0, "heartbeatIntervalMs", "must be > 0, got " + heartbeatIntervalMs);
        tables = List.copyOf(tables);
        password = password == null ? "" : password;
    }

    /** A config with the default poll and heartbeat intervals. */
    public static ReplicatorConfig of(String name, String sourceId, String sourceHost, int sourcePort, String sourceDatabase,
                                      String user, String password, List<String> tables, Path offsetDir) {
        return new ReplicatorConfig(name, sourceId, sourceHost, sourcePort, sourceDatabase, user, password, tables, offsetDir,
                DEFAULT_POLL_INTERVAL_MS, DEFAULT_HEARTBEAT_INTERVAL_MS);
    }

    public List<TableName> tableNames() {
        return tables.stream().map(TableName::parse).toList();
    }

    /** The offset seed file of this stream (see {@code SeededOffsetStore}). */
    public Path offsetFile() {
        return offsetDir.resolve("replicator-" + name + ".offsets");
    }

    @Override
    public String toString() {
        return "ReplicatorConfig[name=" + name + ", sourceId=" + sourceId + ", source=" + sourceHost + ":" + sourcePort + "/"
                + sourceDatabase + ", user=" + user + ", tables=" + tables + ", offsetDir=" + offsetDir
                + ", pollIntervalMs=" + pollIntervalMs + ", heartbeatIntervalMs=" + heartbeatIntervalMs + "]";
    }

    private static void require(boolean ok, String key, String problem) {
        if (!ok) {
            throw new ConfigException("replicator config", key, problem);
        }
    }
}
