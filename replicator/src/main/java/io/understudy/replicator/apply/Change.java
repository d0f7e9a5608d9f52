package io.understudy.replicator.apply;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One row change, with values already converted for binding: each value is a {@link String} (text form of the
 * value, cast on the target), a {@code byte[]} (bytea), {@link Unchanged#TOAST}, or {@code null} (SQL NULL).
 *
 * @param key    primary-key columns of the row (for DELETE); empty for TRUNCATE and for a table without primary key
 * @param before the row's old values as its replica identity logs them (for UPDATE and DELETE): every column with
 *               {@code REPLICA IDENTITY FULL}, how a row of a table without primary key is found; often empty otherwise
 * @param after  all columns of the new row (for INSERT, UPDATE, READ); empty for DELETE and TRUNCATE
 */
public record Change(Op op, TableName table, Map<String, Object> key, Map<String, Object> before, Map<String, Object> after) {

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
        before = Collections.unmodifiableMap(new LinkedHashMap<>(before));
        after = Collections.unmodifiableMap(new LinkedHashMap<>(after));
    }

    public static Change upsert(Op op, TableName table, Map<String, Object> after) {
        return new Change(op, table, Map.of(), Map.of(), after);
    }

    public static Change delete(TableName table, Map<String, Object> key) {
        return new Change(Op.DELETE, table, key, Map.of(), Map.of());
    }

    public static Change truncate(TableName table) {
        return new Change(Op.TRUNCATE, table, Map.of(), Map.of(), Map.of());
    }

    /** Whether applying this change runs a captured schema change (a streamed row of the DDL log). */
    public boolean changesSchema() {
        return op == Op.INSERT && table.equals(DdlReplay.LOG);
    }
}
