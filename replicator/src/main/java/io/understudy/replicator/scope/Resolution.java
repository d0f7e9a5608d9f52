package io.understudy.replicator.scope;

import io.understudy.replicator.apply.TableName;
import java.util.List;

/** What {@link ReplicationScope#resolve} decided for the primary's catalog. */
public sealed interface Resolution {

    /**
     * The scope can be replicated.
     *
     * @param publish  every table the stream carries, sorted: the publication holds exactly these
     * @param makeFull tables among them without a usable replica identity (no primary key): they get
     *                 {@code REPLICA IDENTITY FULL} before they are published
     * @param unlogged tables in scope that PostgreSQL cannot publish because it writes no WAL for their rows
     */
    record Replicable(List<TableName> publish, List<TableName> makeFull, List<TableName> unlogged) implements Resolution {
        public Replicable {
            publish = List.copyOf(publish);
            makeFull = List.copyOf(makeFull);
            unlogged = List.copyOf(unlogged);
        }
    }

    /**
     * Tables in scope that cannot be replicated under the configured rules.
     *
     * @param reason names each of them and what to do
     * @param key    the configuration key that decides (for the error a node reports at start)
     */
    record Refused(String reason, String key) implements Resolution {
    }
}
