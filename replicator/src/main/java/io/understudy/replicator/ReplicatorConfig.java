package io.understudy.replicator;

import io.understudy.cluster.config.ConfigException;
import io.understudy.replicator.apply.TableName;
import io.understudy.replicator.scope.ReplicationScope;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One replication stream: which source database to read and where its Debezium offsets live.
 *
 * @param name                replication slot and publication name on the source ({@code [a-z0-9_]}, max 63)
 * @param sourceId            identity of the stream's source, e.g. {@code "a@1"} (primary node id @ epoch); a
 *                            new source id means a fresh sync
 * @param scope               which tables to replicate: the always-replicated ones (the target must have them too) and
 *                            the application's schemas, whose definitions a fresh sync copies
 * @param offsetDir           directory for this stream's offset seed file (created if absent)
 * @param pollIntervalMs      how long the stream sleeps when the source has nothing new (the latency floor; see docs/replication-speed.md)
 * @param heartbeatIntervalMs Debezium heartbeat interval; keeps the slot moving while tables are idle
 */
public record ReplicatorConfig(String name, String sourceId, String sourceHost, int sourcePort, String sourceDatabase,
                               String user, String password, ReplicationScope scope, Path offsetDir,
                               long pollIntervalMs, long heartbeatIntervalMs) {

    public static final long DEFAULT_POLL_INTERVAL_MS = 2;
    public static final long DEFAULT_HEARTBEAT_INTERVAL_MS = 1000;

    private static final Pattern NAME = Pattern.compile("[a-z0-9_]{1,63}");

    public ReplicatorConfig {
        require(name != null && NAME.matcher(name).matches(), "name", "must match [a-z0-9_]{1,63}, got '" + name + "'");
        require(sourceId != null && !sourceId.isBlank(), "sourceId", "is required");
        require(sourceHost != null && !sourceHost.isBlank(), "sourceHost", "is required");
        require(sourcePort > 0 && sourcePort < 65536, "sourcePort", "must be 1..65535, got " + sourcePort);
        require(sourceDatabase != null && !sourceDatabase.isBlank(), "sourceDatabase", "is required");
        require(user != null && !user.isBlank(), "user", "is required");
        require(scope != null && (!scope.always().isEmpty() || !scope.include().isEmpty()), "tables",
                "must name at least one table");
        require(offsetDir != null, "offsetDir", "is required");
        require(pollIntervalMs > 0, "pollIntervalMs", "must be > 0, got " + pollIntervalMs);
        require(heartbeatIntervalMs > 0, "heartbeatIntervalMs", "must be > 0, got " + heartbeatIntervalMs);
        password = password == null ? "" : password;
    }

    /** A stream of exactly {@code tables} (schema-qualified), no application schemas. */
    public ReplicatorConfig(String name, String sourceId, String sourceHost, int sourcePort, String sourceDatabase,
                            String user, String password, List<String> tables, Path offsetDir, long pollIntervalMs,
                            long heartbeatIntervalMs) {
        this(name, sourceId, sourceHost, sourcePort, sourceDatabase, user, password, ReplicationScope.tables(parse(tables)),
                offsetDir, pollIntervalMs, heartbeatIntervalMs);
    }

    private static List<TableName> parse(List<String> tables) {
        require(tables != null, "tables", "is required");
        return tables.stream().map(table -> {
            require(table != null && table.contains("."), "tables", "must be schema-qualified, got '" + table + "'");
            try {
                return TableName.parse(table);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("replicator config", "tables", e.getMessage());
            }
        }).toList();
    }

    /** The offset seed file of this stream (see {@code SeededOffsetStore}). */
    public Path offsetFile() {
        return offsetDir.resolve("replicator-" + name + ".offsets");
    }

    @Override
    public String toString() {
        return "ReplicatorConfig[name=" + name + ", sourceId=" + sourceId + ", source=" + sourceHost + ":" + sourcePort + "/"
                + sourceDatabase + ", user=" + user + ", always=" + scope.always() + ", " + scope + ", offsetDir=" + offsetDir
                + ", pollIntervalMs=" + pollIntervalMs + ", heartbeatIntervalMs=" + heartbeatIntervalMs + "]";
    }

    private static void require(boolean ok, String key, String problem) {
        if (!ok) {
            throw new ConfigException("replicator config", key, problem);
        }
    }
}
