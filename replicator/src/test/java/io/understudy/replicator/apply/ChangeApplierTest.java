package io.understudy.replicator.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChangeApplierTest {

    private static final TableName FILES = TableName.parse("public.files");
    private static final TableMeta META = new TableMeta(FILES, List.of(
            new ColumnMeta("path", "text", "text", false),
            new ColumnMeta("size", "bigint", "int8", false),
            new ColumnMeta("body", "bytea", "bytea", false),
            new ColumnMeta("price", "numeric(10,2)", "numeric", false),
            new ColumnMeta("tags", "text[]", "text", true)),
            List.of("path"));

    private static Map<String, Object> row(Object... kv) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            map.put((String) kv[i], kv[i + 1]);
        }
        return map;
    }

    @Test
    void shouldUpsertInsertsWithCastsPerColumnType() {
        byte[] body = {1, 2};
        SqlStatement s = ChangeApplier.toSql(META, Change.upsert(Change.Op.INSERT, FILES,
                row("path", "a", "size", "2", "body", body, "price", "1.50", "tags", "{x,y}")));

        assertThat(s.sql()).isEqualTo("INSERT INTO \"public\".\"files\" (\"path\", \"size\", \"body\", \"price\", \"tags\")"
                + " VALUES (?::text, ?::bigint, ?::bytea, ?::numeric(10,2), ?::text[]) ON CONFLICT (\"path\") DO UPDATE SET"
                + " \"size\" = EXCLUDED.\"size\", \"body\" = EXCLUDED.\"body\", \"price\" = EXCLUDED.\"price\", \"tags\" = EXCLUDED.\"tags\"");
        assertThat(s.params()).containsExactly("a", "2", body, "1.50", "{x,y}");
        assertThat(s.mustTouchOneRow()).isFalse();
    }

    @Test
    void shouldUpsertUpdatesAndSnapshotReadsTheSameWay() {
        Map<String, Object> after = row("path", "a", "size", null);
        String update = ChangeApplier.toSql(META, Change.upsert(Change.Op.UPDATE, FILES, after)).sql();
        String read = ChangeApplier.toSql(META, Change.upsert(Change.Op.READ, FILES, after)).sql();

        assertThat(update).isEqualTo(read).endsWith("ON CONFLICT (\"path\") DO UPDATE SET \"size\" = EXCLUDED.\"size\"");
        assertThat(ChangeApplier.toSql(META, Change.upsert(Change.Op.UPDATE, FILES, after)).params()).containsExactly("a", null);
    }

    @Test
    void shouldDoNothingOnConflictWhenOnlyKeyColumnsArePresent() {
        SqlStatement s = ChangeApplier.toSql(META, Change.upsert(Change.Op.INSERT, FILES, row("path", "a")));

        assertThat(s.sql()).endsWith("ON CONFLICT (\"path\") DO NOTHING");
    }

    @Test
    void shouldDeleteByPrimaryKey() {
        SqlStatement s = ChangeApplier.toSql(META, Change.delete(FILES, row("path", "a")));

        assertThat(s.sql()).isEqualTo("DELETE FROM \"public\".\"files\" WHERE \"path\" = ?::text");
        assertThat(s.params()).containsExactly("a");
    }

    @Test
    void shouldTruncateTheTable() {
        SqlStatement s = ChangeApplier.toSql(META, Change.truncate(FILES));

        assertThat(s.sql()).isEqualTo("TRUNCATE TABLE \"public\".\"files\"");
        assertThat(s.params()).isEmpty();
    }

    @Test
    void shouldLeaveUnchangedToastColumnsOutOfAnUpdate() {
        SqlStatement s = ChangeApplier.toSql(META, Change.upsert(Change.Op.UPDATE, FILES,
                row("path", "a", "size", "3", "body", Unchanged.TOAST, "price", null, "tags", Unchanged.TOAST)));

        assertThat(s.sql()).isEqualTo("UPDATE \"public\".\"files\" SET \"size\" = ?::bigint, \"price\" = ?::numeric(10,2)"
                + " WHERE \"path\" = ?::text");
        assertThat(s.params()).containsExactly("3", null, "a");
        assertThat(s.mustTouchOneRow()).isTrue();
    }

    @Test
    void shouldStillRequireTheRowWhenEveryNonKeyColumnIsUnchangedToast() {
        SqlStatement s = ChangeApplier.toSql(META, Change.upsert(Change.Op.UPDATE, FILES,
                row("path", "a", "body", Unchanged.TOAST)));

        assertThat(s.sql()).isEqualTo("UPDATE \"public\".\"files\" SET \"path\" = \"path\" WHERE \"path\" = ?::text");
        assertThat(s.mustTouchOneRow()).isTrue();
    }

    @Test
    void shouldQuoteIdentifiers() {
        TableMeta odd = new TableMeta(TableName.parse("public.t"), List.of(new ColumnMeta("we\"ird", "text", "text", false)),
                List.of("we\"ird"));

        assertThat(ChangeApplier.toSql(odd, Change.delete(odd.table(), row("we\"ird", "v"))).sql())
                .isEqualTo("DELETE FROM \"public\".\"t\" WHERE \"we\"\"ird\" = ?::text");
    }

    private static final TableMeta NO_PK = new TableMeta(TableName.parse("app.events"), List.of(
            new ColumnMeta("at", "timestamp with time zone", "timestamptz", false),
            new ColumnMeta("payload", "json", "json", false),
            new ColumnMeta("note", "text", "text", false)), List.of());

    @Test
    void shouldInsertRowsOfATableWithoutPrimaryKeyAsTheyCome() {
        SqlStatement s = ChangeApplier.toSql(NO_PK, Change.upsert(Change.Op.READ, NO_PK.table(), row("at", "t1", "payload", "{}", "note", null)));

        assertThat(s.sql()).isEqualTo("INSERT INTO \"app\".\"events\" (\"at\", \"payload\", \"note\")"
                + " VALUES (?::timestamp with time zone, ?::json, ?::text)");
        assertThat(s.params()).containsExactly("t1", "{}", null);
        assertThat(s.mustTouchOneRow()).isFalse();
    }

    @Test
    void shouldUpdateAndDeleteExactlyOneRowEqualToTheOldValues() {
        Map<String, Object> old = row("at", "t1", "payload", "{}", "note", null);
        SqlStatement update = ChangeApplier.toSql(NO_PK, new Change(Change.Op.UPDATE, NO_PK.table(), Map.of(), old,
                row("at", "t1", "payload", "{}", "note", "seen")));
        SqlStatement delete = ChangeApplier.toSql(NO_PK, new Change(Change.Op.DELETE, NO_PK.table(), Map.of(), old, Map.of()));

        String oneRow = "(SELECT ctid FROM \"app\".\"events\" WHERE \"at\" = ?::timestamp with time zone"
                + " AND \"payload\"::text = (?::json)::text AND \"note\" IS NULL LIMIT 1)";
        assertThat(update.sql()).isEqualTo("UPDATE \"app\".\"events\" SET \"at\" = ?::timestamp with time zone,"
                + " \"payload\" = ?::json, \"note\" = ?::text WHERE ctid = " + oneRow);
        assertThat(update.params()).containsExactly("t1", "{}", "seen", "t1", "{}");
        assertThat(delete.sql()).isEqualTo("DELETE FROM \"app\".\"events\" WHERE ctid = " + oneRow);
        assertThat(delete.params()).containsExactly("t1", "{}");
        assertThat(List.of(update.mustTouchOneRow(), delete.mustTouchOneRow())).containsOnly(true);
    }

    @Test
    void shouldRefuseToGuessTheRowOfATableWithoutPrimaryKeyWithoutOldValues() {
        for (Change change : Arrays.asList(Change.upsert(Change.Op.UPDATE, NO_PK.table(), row("note", "x")),
                Change.delete(NO_PK.table(), row()))) {
            assertThatThrownBy(() -> ChangeApplier.toSql(NO_PK, change))
                    .isInstanceOf(ApplyException.class)
                    .hasMessageContaining("app.events").hasMessageContaining("REPLICA IDENTITY FULL");
        }
    }

    @Test
    void shouldRejectAColumnMissingOnTheTarget() {
        assertThatThrownBy(() -> ChangeApplier.toSql(META, Change.upsert(Change.Op.INSERT, FILES, row("path", "a", "owner", "bob"))))
                .isInstanceOf(ApplyException.class)
                .hasMessage("column public.files.owner does not exist on the target");
    }

    @Test
    void shouldRejectAnUnsupportedColumnType() {
        TableMeta geo = new TableMeta(FILES, List.of(new ColumnMeta("path", "text", "text", false),
                new ColumnMeta("where", "point", "point", false)), List.of("path"));

        assertThatThrownBy(() -> ChangeApplier.toSql(geo, Change.upsert(Change.Op.INSERT, FILES, row("path", "a", "where", "(1,2)"))))
                .isInstanceOf(ApplyException.class)
                .hasMessage("column public.files.where has unsupported type point");
    }

    @Test
    void shouldRejectAChangeWithoutItsKeyValue() {
        assertThatThrownBy(() -> ChangeApplier.toSql(META, Change.upsert(Change.Op.INSERT, FILES, row("size", "1"))))
                .isInstanceOf(ApplyException.class).hasMessageContaining("primary-key column path");
        assertThatThrownBy(() -> ChangeApplier.toSql(META, Change.delete(FILES, row())))
                .isInstanceOf(ApplyException.class).hasMessageContaining("primary-key column path");
    }
}
