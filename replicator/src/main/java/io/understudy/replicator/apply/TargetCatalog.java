package io.understudy.replicator.apply;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Reads target table metadata from the PostgreSQL catalog, once per table. Thread-safe. */
public final class TargetCatalog {

    /** Columns with their bind cast and base type: an enum's is "enum", a domain's is its base type's. */
    private static final String COLUMNS = """
            SELECT a.attname, format_type(a.atttypid, a.atttypmod),
                   CASE WHEN base.typtype = 'e' THEN 'enum' ELSE base.typname END, et.oid IS NOT NULL
            FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_type t ON t.oid = a.atttypid
            LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
            JOIN pg_type base ON base.oid = CASE WHEN coalesce(et.typtype, t.typtype) = 'd'
                                                 THEN coalesce(et.typbasetype, t.typbasetype) ELSE coalesce(et.oid, t.oid) END
            WHERE n.nspname = ? AND c.relname = ? AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attnum""";

    private static final String PRIMARY_KEY = """
            SELECT a.attname
            FROM pg_index i
            JOIN pg_class c ON c.oid = i.indrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
            WHERE n.nspname = ? AND c.relname = ? AND i.indisprimary
            ORDER BY array_position(i.indkey::int2[], a.attnum)""";

    private final Map<TableName, TableMeta> cache = new ConcurrentHashMap<>();

    public TableMeta table(Connection connection, TableName table) throws SQLException {
        TableMeta meta = cache.get(table);
        if (meta == null) {
            meta = load(connection, table);
            cache.put(table, meta);
        }
        return meta;
    }

    /** Forgets every table: a schema change may have altered any of them. */
    public void clear() {
        cache.clear();
    }

    private static TableMeta load(Connection connection, TableName table) throws SQLException {
        List<ColumnMeta> columns = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(COLUMNS)) {
            ps.setString(1, table.schema());
            ps.setString(2, table.table());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(new ColumnMeta(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4)));
                }
            }
        }
        if (columns.isEmpty()) {
            throw new ApplyException("table " + table + " does not exist on the target");
        }
        List<String> key = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(PRIMARY_KEY)) {
            ps.setString(1, table.schema());
            ps.setString(2, table.table());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    key.add(rs.getString(1));
                }
            }
        }
        return new TableMeta(table, columns, key);
    }
}
