package io.understudy.replicator.capture;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One row change read back from a slot's pgoutput stream, values in PostgreSQL's text format (bytea as {@code \x}
 * hex). Values may be null (SQL NULL) or {@link #UNCHANGED_TOAST} for a large value the update did not touch.
 *
 * @param op        what happened to the row
 * @param table     schema-qualified table name
 * @param values    the new row (INSERT, UPDATE), empty for DELETE and TRUNCATE
 * @param oldValues the key or old row the source sent (UPDATE with a changed key or replica identity FULL, DELETE)
 */
public record PeekedChange(Op op, String table, Map<String, String> values, Map<String, String> oldValues) {

    /** Stands for a TOASTed value an UPDATE did not change: pgoutput does not send it. */
    public static final String UNCHANGED_TOAST = "(unchanged TOAST value, not sent by the source)";

    public enum Op {
        INSERT, UPDATE, DELETE, TRUNCATE
    }

    public PeekedChange {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(table, "table");
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        oldValues = Collections.unmodifiableMap(new LinkedHashMap<>(oldValues));
    }

    /** The row's values as best known: the new row, else the old key/row. */
    public Map<String, String> row() {
        return values.isEmpty() ? oldValues : values;
    }
}
