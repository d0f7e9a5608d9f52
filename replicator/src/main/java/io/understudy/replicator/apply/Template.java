package io.understudy.replicator.apply;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The statement for one shape of change (see {@link ChangeShape}): its text, and where each parameter's value comes
 * from. Built once per shape by {@link ChangeApplier}, bound to each change of that shape by {@link #bind}.
 *
 * @param table           the target table (for messages)
 * @param params          one entry per {@code ?} of {@code sql}, in order
 * @param mustTouchOneRow as for {@link SqlStatement}
 */
record Template(TableName table, String sql, List<Param> params, boolean mustTouchOneRow) {

    /** The part of a {@link Change} a parameter's value is taken from. */
    enum Source {
        /** {@link Change#after()}: the new row. */
        AFTER,
        /** {@link Change#before()}: the old row as its replica identity logs it. */
        BEFORE,
        /** {@link Change#key()}: the primary key of a deleted row. */
        KEY
    }

    /**
     * One parameter: the column whose value it binds.
     *
     * @param key whether it matches a primary-key column, whose value must be present
     */
    record Param(Source source, String column, boolean key) {
    }

    Template {
        params = List.copyOf(params);
    }

    /** The statement for {@code change}, which has this template's shape. */
    SqlStatement bind(Change change) {
        List<Object> values = new ArrayList<>(params.size());
        for (Param p : params) {
            Map<String, Object> row = switch (p.source()) {
                case AFTER -> change.after();
                case BEFORE -> change.before();
                case KEY -> change.key();
            };
            Object value = row.get(p.column());
            if (p.key() && (value == null || value == Unchanged.TOAST)) {
                throw new ApplyException("change for " + table + " has no value for primary-key column " + p.column());
            }
            values.add(value);
        }
        return new SqlStatement(sql, values, mustTouchOneRow);
    }
}
