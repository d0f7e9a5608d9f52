package io.understudy.replicator.apply;

import java.util.regex.Pattern;

/** A schema-qualified table name, e.g. {@code public.objects}; quoted safely for SQL by {@link #sql()}. */
public record TableName(String schema, String table) {

    private static final Pattern PART = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*");

    public TableName {
        if (schema == null || !PART.matcher(schema).matches() || table == null || !PART.matcher(table).matches()) {
            throw new IllegalArgumentException("not a valid table name: " + schema + "." + table);
        }
    }

    /** Parses {@code schema.table}; an unqualified name means schema {@code public}. */
    public static TableName parse(String qualified) {
        if (qualified == null) {
            throw new IllegalArgumentException("table name is null");
        }
        int dot = qualified.indexOf('.');
        return dot < 0 ? new TableName("public", qualified) : new TableName(qualified.substring(0, dot), qualified.substring(dot + 1));
    }

    public String sql() {
        return quote(schema) + "." + quote(table);
    }

    public static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    @Override
    public String toString() {
        return schema + "." + table;
    }
}
