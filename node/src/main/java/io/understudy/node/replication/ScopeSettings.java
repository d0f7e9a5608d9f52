package io.understudy.node.replication;

import io.understudy.cluster.config.ConfigException;
import io.understudy.cluster.config.Settings;
import io.understudy.replicator.apply.TableName;
import io.understudy.replicator.scope.ReplicationScope;
import io.understudy.replicator.scope.ReplicationScope.NoPrimaryKey;
import io.understudy.replicator.scope.TablePattern;
import java.util.List;
import java.util.Locale;

/**
 * What of the application's database is replicated, and how its sequences are carried over a failover (keys
 * {@code replication.include}, {@code .exclude}, {@code .noPrimaryKey}, {@code .sequenceGap},
 * {@code .sequenceMarkIntervalMs}), validated at start. See docs/replication-scope.md.
 *
 * @param source                 the configuration's source (file), named by errors found later against the database
 * @param include                {@code replication.include} (default none): comma-separated {@code schema.table}
 *                               patterns of the application's tables, either part may be or hold {@code *}
 * @param exclude                {@code replication.exclude} (default none): patterns left out even if included
 * @param noPrimaryKey           {@code replication.noPrimaryKey} (default {@code full}): a table in scope without a
 *                               primary key gets {@code REPLICA IDENTITY FULL} and is replicated, or ({@code refuse})
 *                               the node refuses to start or to become primary, naming the table
 * @param sequenceGap            {@code replication.sequenceGap} (default 1000): how far past the highest value known
 *                               to be used a new primary moves each sequence
 * @param sequenceMarkIntervalMs {@code replication.sequenceMarkIntervalMs} (default 1000): how often a primary records
 *                               its sequences' values in the replicated {@code understudy.sequence_marks}
 */
public record ScopeSettings(String source, List<TablePattern> include, List<TablePattern> exclude, NoPrimaryKey noPrimaryKey,
                            long sequenceGap, long sequenceMarkIntervalMs) {

    /** Keys this record reads; the node's key list includes them. */
    public static final List<String> KEYS = List.of("replication.include", "replication.exclude", "replication.noPrimaryKey",
            "replication.sequenceGap", "replication.sequenceMarkIntervalMs");

    public ScopeSettings {
        include = List.copyOf(include);
        exclude = List.copyOf(exclude);
    }

    public static ScopeSettings from(Settings s) {
        return new ScopeSettings(s.source(), patterns(s, "replication.include"), patterns(s, "replication.exclude"),
                NoPrimaryKey.valueOf(s.matching("replication.noPrimaryKey", "full", v -> v.equals("full") || v.equals("refuse"),
                        "must be 'full' or 'refuse'").toUpperCase(Locale.ROOT)),
                s.longValue("replication.sequenceGap", 1000, 0, 1L << 40),
                s.longValue("replication.sequenceMarkIntervalMs", 1000, 100, 3_600_000));
    }

    /** The scope of a stream: {@code always} (the node's own tables) plus the configured patterns. */
    public ReplicationScope scope(List<String> always) {
        return new ReplicationScope(always.stream().map(TableName::parse).toList(), include, exclude, noPrimaryKey);
    }

    private static List<TablePattern> patterns(Settings s, String key) {
        try {
            return ReplicationScope.patterns(s.string(key, ""));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(s.source(), key, e.getMessage());
        }
    }
}
