package io.understudy.replicator.apply;

import java.util.HashMap;
import java.util.Map;

/**
 * The statement text of each shape of change, per table, built once: a stream's changes come in few shapes. An
 * entry is kept only as long as the {@link TableMeta} it was built from is the one the {@link TargetCatalog} hands out:
 * once a schema change (or a rollback) makes the catalog read a table again, its statements are built again too.
 * Used from the engine thread only.
 */
final class StatementCache {

    /** A table without primary key has a shape per pattern of NULL old values; beyond this many, start over. */
    static final int MAX_SHAPES_PER_TABLE = 64;

    private record Shapes(TableMeta meta, Map<ChangeShape, Template> templates) {
    }

    private final Map<TableName, Shapes> tables = new HashMap<>();

    /** As {@link ChangeApplier#toSql}, from the cached statement text. */
    SqlStatement toSql(TableMeta meta, Change change) {
        Shapes shapes = tables.get(meta.table());
        if (shapes == null || shapes.meta() != meta) {
            shapes = new Shapes(meta, new HashMap<>());
            tables.put(meta.table(), shapes);
        }
        ChangeShape shape = ChangeShape.of(meta, change);
        Template template = shapes.templates().get(shape);
        if (template == null) {
            template = ChangeApplier.template(meta, change);
            if (shapes.templates().size() >= MAX_SHAPES_PER_TABLE) {
                shapes.templates().clear();
            }
            shapes.templates().put(shape, template);
        }
        return template.bind(change);
    }
}
