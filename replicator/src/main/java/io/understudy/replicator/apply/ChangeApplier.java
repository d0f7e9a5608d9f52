package io.understudy.replicator.apply;

import io.understudy.replicator.apply.Template.Param;
import io.understudy.replicator.apply.Template.Source;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Pure translation of one {@link Change} into SQL for the target, given the target table's metadata.
 * Inserts, updates and snapshot reads become {@code INSERT ... ON CONFLICT (pk) DO UPDATE}, so replaying a change
 * is harmless; an update carrying unchanged TOAST values becomes a plain {@code UPDATE} of the columns it has.
 * Every value is bound as text (or bytes for bytea) with an explicit cast to the column's own type.
 *
 * <p>A table without a primary key (published with {@code REPLICA IDENTITY FULL}) has no key to upsert on: inserts
 * stay inserts (a streamed transaction is applied once, and a fresh copy starts from an empty table), and an update
 * or delete changes exactly one row among those equal to the old values, or fails.
 */
public final class ChangeApplier {

    /**
     * Base types ({@code pg_type.typname}; "enum" for every enum type) whose text form round-trips through an explicit
     * cast.
     */
    static final Set<String> SUPPORTED_TYPES = Set.of(
            "text", "varchar", "bpchar", "name", "int2", "int4", "int8", "float4", "float8", "bool", "bytea",
            "timestamptz", "timestamp", "date", "time", "timetz", "numeric", "interval", "json", "jsonb", "uuid", "xml", "tsvector", "enum");

    private ChangeApplier() {
    }

    public static SqlStatement toSql(TableMeta meta, Change change) {
        return template(meta, change).bind(change);
    }

    /** The statement text for {@code change}'s shape (see {@link ChangeShape}) and where its parameters come from. */
    static Template template(TableMeta meta, Change change) {
        if (meta.primaryKey().isEmpty()) {
            return NoKeyChanges.template(meta, change);
        }
        return switch (change.op()) {
            case READ, INSERT, UPDATE -> change.after().containsValue(Unchanged.TOAST) ? partialUpdate(meta, change) : upsert(meta, change);
            case DELETE -> delete(meta);
            case TRUNCATE -> new Template(meta.table(), "TRUNCATE TABLE " + meta.table().sql(), List.of(), false);
        };
    }

    /** One TRUNCATE for several tables, so tables that reference each other can be truncated together. */
    public static SqlStatement truncate(List<TableName> tables) {
        return new SqlStatement("TRUNCATE TABLE " + String.join(", ", tables.stream().map(TableName::sql).toList()), List.of(), false);
    }

    private static Template upsert(TableMeta meta, Change change) {
        requirePrimaryKey(meta);
        Map<String, ColumnMeta> columns = meta.byName();
        StringJoiner names = new StringJoiner(", ");
        StringJoiner values = new StringJoiner(", ");
        StringJoiner updates = new StringJoiner(", ");
        List<Param> params = new ArrayList<>();
        for (String name : change.after().keySet()) {
            ColumnMeta column = column(meta, columns, name);
            names.add(TableName.quote(column.name()));
            values.add(placeholder(column));
            params.add(new Param(Source.AFTER, name, false));
            if (!meta.primaryKey().contains(column.name())) {
                updates.add(TableName.quote(column.name()) + " = EXCLUDED." + TableName.quote(column.name()));
            }
        }
        for (String pk : meta.primaryKey()) {
            if (!change.after().containsKey(pk)) {
                throw new ApplyException("change for " + meta.table() + " lacks primary-key column " + pk);
            }
        }
        String conflict = String.join(", ", meta.primaryKey().stream().map(TableName::quote).toList());
        String action = updates.length() == 0 ? "DO NOTHING" : "DO UPDATE SET " + updates;
        String sql = "INSERT INTO " + meta.table().sql() + " (" + names + ") VALUES (" + values + ") ON CONFLICT (" + conflict + ") " + action;
        return new Template(meta.table(), sql, params, false);
    }

    private static Template partialUpdate(TableMeta meta, Change change) {
        requirePrimaryKey(meta);
        Map<String, ColumnMeta> columns = meta.byName();
        StringJoiner sets = new StringJoiner(", ");
        List<Param> params = new ArrayList<>();
        for (Map.Entry<String, Object> e : change.after().entrySet()) {
            ColumnMeta column = column(meta, columns, e.getKey());
            if (e.getValue() != Unchanged.TOAST && !meta.primaryKey().contains(column.name())) {
                sets.add(TableName.quote(column.name()) + " = " + placeholder(column));
                params.add(new Param(Source.AFTER, e.getKey(), false));
            }
        }
        if (sets.length() == 0) {
            // Only the key and unchanged TOAST columns: the row stays as it is, but it must exist.
            sets.add(TableName.quote(meta.primaryKey().get(0)) + " = " + TableName.quote(meta.primaryKey().get(0)));
        }
        String where = keyPredicate(meta, columns, Source.AFTER, params);
        return new Template(meta.table(), "UPDATE " + meta.table().sql() + " SET " + sets + " WHERE " + where, params, true);
    }

    private static Template delete(TableMeta meta) {
        requirePrimaryKey(meta);
        List<Param> params = new ArrayList<>();
        String where = keyPredicate(meta, meta.byName(), Source.KEY, params);
        return new Template(meta.table(), "DELETE FROM " + meta.table().sql() + " WHERE " + where, params, false);
    }

    /** The key columns' predicate; their values, taken from {@code source}, must be present (checked when bound). */
    private static String keyPredicate(TableMeta meta, Map<String, ColumnMeta> columns, Source source, List<Param> params) {
        StringJoiner where = new StringJoiner(" AND ");
        for (String pk : meta.primaryKey()) {
            where.add(TableName.quote(pk) + " = " + placeholder(columns.get(pk)));
            params.add(new Param(source, pk, true));
        }
        return where.toString();
    }

    private static void requirePrimaryKey(TableMeta meta) {
        if (meta.primaryKey().isEmpty()) {
            throw new ApplyException("table " + meta.table() + " has no primary key on the target; rows cannot be matched");
        }
    }

    static ColumnMeta column(TableMeta meta, Map<String, ColumnMeta> columns, String name) {
        ColumnMeta column = columns.get(name);
        if (column == null) {
            throw new ApplyException("column " + meta.table() + "." + name + " does not exist on the target");
        }
        if (!SUPPORTED_TYPES.contains(column.baseType())) {
            throw new ApplyException("column " + meta.table() + "." + name + " has unsupported type " + column.sqlType());
        }
        return column;
    }

    static String placeholder(ColumnMeta column) {
        return "?::" + column.sqlType();
    }
}
