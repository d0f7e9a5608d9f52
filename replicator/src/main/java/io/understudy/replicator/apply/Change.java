package io.understudy.replicator.apply;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One row change, with values already converted for binding: each value is a {@link String} (text form of the
 * value, cast on the target), a {@code byte[]} (bytea), {@link Unchanged#TOAST}, or {@code null} (SQL NULL).
 *
 * @param key   primary-key columns of the row (for DELETE); may be empty for TRUNCATE
 * @param after all columns of the new row (for INSERT, UPDATE, READ); empty for DELETE and TRUNCATE
 */
public record Change(Op op, TableName table, Map<String, Object> key, Map<String, Object> after) {

    /** What happened to the row. */
    public enum Op {
        /** A row read by the initial snapshot. */
        READ,
        /** A row inserted on the source. */
        INSERT,
        /** A row updated on the source. */
        UPDATE,
        /** A row deleted on the source. */
        DELETE,
        /** The whole table was truncated on the source. */
        TRUNCATE
    }

    public Change {
        key = Collections.unmodifiableMap(new LinkedHashMap<>(key));
        after = Collections.unmodifiableMap(new LinkedHashMap<>(after));
    }

    public static Change upsert(Op op, TableName table, Map<String, Object> after) {
        return new Change(op, table, Map.of(), after);
    }

    public static Change delete(TableName table, Map<String, Object> key) {
        return new Change(Op.DELETE, table, key, Map.of());
    }

    public static Change truncate(TableName table) {
        return new Change(Op.TRUNCATE, table, Map.of(), Map.of());
    }
}
