package io.understudy.replicator.scope;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * One {@code schema.table} pattern of {@code replication.include} or {@code replication.exclude}: each part is a name
 * in which {@code *} stands for any run of characters, e.g. {@code app.*}, {@code *.*}, {@code app.audit_log},
 * {@code app.tmp_*}. Patterns name application schemas only: {@code public} (the node's own tables) and
 * {@code understudy} (Understudy's internal tables) are never matched, nor are PostgreSQL's system schemas.
 */
public record TablePattern(String schema, String table) {

    /** Characters of a pattern part; a table whose name has others is still matched by {@code *}, then refused by name. */
    private static final Pattern PART = Pattern.compile("[A-Za-z0-9_$*]+");
    private static final Set<String> RESERVED = Set.of("public", "understudy", "information_schema");

    public TablePattern {
        if (schema == null || !PART.matcher(schema).matches() || table == null || !PART.matcher(table).matches()) {
            throw new IllegalArgumentException("'" + schema + "." + table + "' is not a schema.table pattern (letters, digits,"
                    + " '_', '$' and '*' in each part)");
        }
        if (!schema.contains("*") && isReserved(schema)) {
            throw new IllegalArgumentException("'" + schema + "." + table + "' names schema " + schema
                    + ", which holds Understudy's or PostgreSQL's own tables; put the application's tables in a schema of their own");
        }
    }

    /** Parses {@code schema.table}. */
    public static TablePattern parse(String text) {
        String trimmed = text == null ? "" : text.trim();
        int dot = trimmed.indexOf('.');
        if (dot <= 0 || dot == trimmed.length() - 1 || trimmed.indexOf('.', dot + 1) >= 0) {
            throw new IllegalArgumentException("'" + trimmed + "' is not a schema.table pattern (e.g. app.* or app.orders)");
        }
        return new TablePattern(trimmed.substring(0, dot), trimmed.substring(dot + 1));
    }

    /** Schemas that hold no application tables: the node's, Understudy's and PostgreSQL's own. */
    public static boolean isReserved(String schema) {
        return RESERVED.contains(schema) || schema.startsWith("pg_");
    }

    public boolean matches(String schemaName, String tableName) {
        return matchesSchema(schemaName) && glob(table, tableName);
    }

    /** Whether the schema part matches {@code schemaName} (never a reserved schema). */
    public boolean matchesSchema(String schemaName) {
        return !isReserved(schemaName) && glob(schema, schemaName);
    }

    /** The schema part as a SQL {@code LIKE} pattern (the capture trigger matches schemas in SQL). */
    public String schemaLike() {
        return like(schema);
    }

    /** The table part as a SQL {@code LIKE} pattern. */
    public String tableLike() {
        return like(table);
    }

    /** A Java regular expression for {@code schema\.table}, as Debezium's table filters take it. */
    public String regex() {
        return regex(schema) + "\\." + regex(table);
    }

    @Override
    public String toString() {
        return schema + "." + table;
    }

    private static boolean glob(String pattern, String name) {
        return Pattern.compile(regex(pattern).replace("[^.]*", ".*")).matcher(name).matches();
    }

    private static String regex(String part) {
        StringBuilder sb = new StringBuilder();
        for (char ch : part.toCharArray()) {
            sb.append(switch (ch) {
                case '*' -> "[^.]*";
                case '$' -> "\\$";
                default -> String.valueOf(ch);
            });
        }
        return sb.toString();
    }

    private static String like(String part) {
        return part.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%").replace('*', '%');
    }
}
