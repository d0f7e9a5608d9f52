package io.understudy.replicator.apply;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Columns (in table order) and primary key of one target table. */
public record TableMeta(TableName table, List<ColumnMeta> columns, List<String> primaryKey) {

    public TableMeta {
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
    }

    public Optional<ColumnMeta> column(String name) {
        return columns.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** Column name to metadata, in table order. */
    public Map<String, ColumnMeta> byName() {
        Map<String, ColumnMeta> map = new LinkedHashMap<>();
        columns.forEach(c -> map.put(c.name(), c));
        return map;
    }
}
