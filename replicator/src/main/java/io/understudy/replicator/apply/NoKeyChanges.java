package io.understudy.replicator.apply;

import io.understudy.replicator.apply.Template.Param;
import io.understudy.replicator.apply.Template.Source;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Pure translation of changes to a table without a primary key. Rows are found by all their old values (the
 * source's {@code REPLICA IDENTITY FULL} logs them); among several equal rows any one will do, since equal rows cannot
 * be told apart, so each update or delete touches exactly one row by its {@code ctid}, and fails when none matches.
 */
final class NoKeyChanges {

    /** Types without an equality operator: their rows are matched on the text form. */
    private static final Set<String> COMPARED_AS_TEXT = Set.of("json", "xml");

    private NoKeyChanges() {
    }

    static Template template(TableMeta meta, Change change) {
        return switch (change.op()) {
            case READ, INSERT -> insert(meta, change);
            case UPDATE -> update(meta, change);
            case DELETE -> delete(meta, change);
            case TRUNCATE -> new Template(meta.table(), "TRUNCATE TABLE " + meta.table().sql(), List.of(), false);
        };
    }

    private static Template insert(TableMeta meta, Change change) {
        Map<String, ColumnMeta> columns = meta.byName();
        StringJoiner names = new StringJoiner(", ");
        StringJoiner values = new StringJoiner(", ");
        List<Param> params = new ArrayList<>();
        for (Map.Entry<String, Object> e : change.after().entrySet()) {
            ColumnMeta column = ChangeApplier.column(meta, columns, e.getKey());
            names.add(TableName.quote(column.name()));
            values.add(ChangeApplier.placeholder(column));
            params.add(new Param(Source.AFTER, e.getKey(), false));
        }
        return new Template(meta.table(), "INSERT INTO " + meta.table().sql() + " (" + names + ") VALUES (" + values + ")", params, false);
    }

    private static Template update(TableMeta meta, Change change) {
        Map<String, ColumnMeta> columns = meta.byName();
        StringJoiner sets = new StringJoiner(", ");
        List<Param> params = new ArrayList<>();
        for (Map.Entry<String, Object> e : change.after().entrySet()) {
            ColumnMeta column = ChangeApplier.column(meta, columns, e.getKey());
            if (e.getValue() != Unchanged.TOAST) {
                sets.add(TableName.quote(column.name()) + " = " + ChangeApplier.placeholder(column));
                params.add(new Param(Source.AFTER, e.getKey(), false));
            }
        }
        if (sets.length() == 0) {
            // only unchanged TOAST values: the row stays as it is, but it must exist
            String first = TableName.quote(meta.columns().get(0).name());
            sets.add(first + " = " + first);
        }
        String row = oneRow(meta, columns, change, params);
        return new Template(meta.table(), "UPDATE " + meta.table().sql() + " SET " + sets + " WHERE ctid = (" + row + ")", params, true);
    }

    private static Template delete(TableMeta meta, Change change) {
        List<Param> params = new ArrayList<>();
        String row = oneRow(meta, meta.byName(), change, params);
        return new Template(meta.table(), "DELETE FROM " + meta.table().sql() + " WHERE ctid = (" + row + ")", params, true);
    }

    /** A subquery for the {@code ctid} of one row equal to the change's old values. */
    private static String oneRow(TableMeta meta, Map<String, ColumnMeta> columns, Change change, List<Param> params) {
        if (change.before().isEmpty()) {
            throw new ApplyException("change for " + meta.table() + " (no primary key) carries no old values to find its row by;"
                    + " the source table needs REPLICA IDENTITY FULL");
        }
        StringJoiner where = new StringJoiner(" AND ");
        for (Map.Entry<String, Object> e : change.before().entrySet()) {
            ColumnMeta column = ChangeApplier.column(meta, columns, e.getKey());
            String name = TableName.quote(column.name());
            if (e.getValue() == null) {
                where.add(name + " IS NULL");
            } else if (e.getValue() == Unchanged.TOAST) {
                throw new ApplyException("change for " + meta.table() + " (no primary key) lacks the old value of " + column.name());
            } else if (COMPARED_AS_TEXT.contains(column.baseType())) {
                where.add(name + "::text = (" + ChangeApplier.placeholder(column) + ")::text");
                params.add(new Param(Source.BEFORE, e.getKey(), false));
            } else {
                where.add(name + " = " + ChangeApplier.placeholder(column));
                params.add(new Param(Source.BEFORE, e.getKey(), false));
            }
        }
        return "SELECT ctid FROM " + meta.table().sql() + " WHERE " + where + " LIMIT 1";
    }
}
