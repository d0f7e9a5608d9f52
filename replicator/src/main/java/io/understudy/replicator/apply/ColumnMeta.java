package io.understudy.replicator.apply;

/**
 * One column of a target table as the target's catalog describes it.
 *
 * @param name       column name
 * @param sqlType    {@code format_type()} of the column, used verbatim as the bind cast ({@code numeric(10,2)}, {@code text[]})
 * @param baseType   {@code pg_type.typname} of the column, or of the element type for arrays ({@code int8}, {@code text});
 *                   {@code enum} for any enum type, and a domain's base type for a domain
 * @param array      whether the column is an array type
 */
public record ColumnMeta(String name, String sqlType, String baseType, boolean array) {
}
