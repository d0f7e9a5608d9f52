package io.understudy.replicator.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatementCacheTest {

    private static final TableName FILES = TableName.parse("public.files");
    private static final List<ColumnMeta> COLUMNS = List.of(
            new ColumnMeta("path", "text", "text", false),
            new ColumnMeta("size", "bigint", "int8", false),
            new ColumnMeta("body", "bytea", "bytea", false));
    private static final TableMeta META = new TableMeta(FILES, COLUMNS, List.of("path"));
    private static final TableMeta NO_PK = new TableMeta(FILES, COLUMNS, List.of());

    private final StatementCache cache = new StatementCache();

    private static Map<String, Object> row(Object... kv) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            map.put((String) kv[i], kv[i + 1]);
        }
        return map;
    }

    /** Changes of every shape: the cache must give what a fresh translation gives, or refuse what it refuses. */
    private static List<Change> changes() {
        return List.of(
                Change.upsert(Change.Op.INSERT, FILES, row("path", "a", "size", "1", "body", new byte[] {1})),
                Change.upsert(Change.Op.READ, FILES, row("path", "b", "size", null, "body", null)),
                Change.upsert(Change.Op.UPDATE, FILES, row("path", "c", "size", "3", "body", new byte[] {3})),
                Change.upsert(Change.Op.INSERT, FILES, row("size", "4", "path", "d")),
                new Change(Change.Op.UPDATE, FILES, Map.of(), row("path", "e", "size", "5", "body", null),
                        row("path", "e", "size", "6", "body", Unchanged.TOAST)),
                new Change(Change.Op.UPDATE, FILES, Map.of(), row("path", "f", "size", null, "body", null),
                        row("path", "f", "size", "7", "body", Unchanged.TOAST)),
                new Change(Change.Op.UPDATE, FILES, Map.of(), row("path", "g", "size", "8", "body", null),
                        row("path", "g", "size", Unchanged.TOAST, "body", Unchanged.TOAST)),
                new Change(Change.Op.DELETE, FILES, row("path", "h"), row("path", "h", "size", "9", "body", null), Map.of()),
                new Change(Change.Op.DELETE, FILES, row("path", "i"), row("path", "i", "size", null, "body", null), Map.of()));
    }

    @Test
    void shouldGiveWhatAFreshTranslationGivesForEveryShape() {
        for (TableMeta meta : List.of(META, NO_PK)) {
            for (int round = 0; round < 2; round++) {
                for (Change change : changes()) {
                    SqlStatement fresh;
                    try {
                        fresh = ChangeApplier.toSql(meta, change);
                    } catch (ApplyException refused) {
                        assertThatThrownBy(() -> cache.toSql(meta, change)).hasMessage(refused.getMessage());
                        continue;
                    }
                    SqlStatement cached = cache.toSql(meta, change);

                    assertThat(cached.sql()).as("%s", change).isEqualTo(fresh.sql());
                    assertThat(cached.params()).as("%s", change).containsExactlyElementsOf(fresh.params());
                    assertThat(cached.mustTouchOneRow()).isEqualTo(fresh.mustTouchOneRow());
                }
            }
        }
    }

    @Test
    void shouldBuildTheTextOncePerShape() {
        String first = cache.toSql(META, Change.upsert(Change.Op.INSERT, FILES, row("path", "a", "size", "1"))).sql();
        String second = cache.toSql(META, Change.upsert(Change.Op.UPDATE, FILES, row("path", "b", "size", "2"))).sql();
        String otherOrder = cache.toSql(META, Change.upsert(Change.Op.INSERT, FILES, row("size", "3", "path", "c"))).sql();
        String partial = cache.toSql(META, Change.upsert(Change.Op.UPDATE, FILES, row("path", "d", "size", Unchanged.TOAST))).sql();

        assertThat(second).isSameAs(first);
        assertThat(otherOrder).isNotEqualTo(first);
        assertThat(partial).startsWith("UPDATE");
    }

    @Test
    void shouldBuildAgainForNewMetadataOfTheTable() {
        Change change = Change.upsert(Change.Op.INSERT, FILES, row("path", "a", "size", "1"));
        String before = cache.toSql(META, change).sql();
        TableMeta altered = new TableMeta(FILES, List.of(new ColumnMeta("path", "text", "text", false),
                new ColumnMeta("size", "numeric", "numeric", false)), List.of("path"));

        assertThat(cache.toSql(altered, change).sql()).isNotEqualTo(before).contains("?::numeric");
        assertThatThrownBy(() -> cache.toSql(new TableMeta(FILES, List.of(new ColumnMeta("path", "text", "text", false)), List.of("path")), change))
                .isInstanceOf(ApplyException.class).hasMessage("column public.files.size does not exist on the target");
    }

    @Test
    void shouldStillRefuseAMissingKeyValueOfACachedShape() {
        cache.toSql(META, Change.delete(FILES, row("path", "a")));

        assertThatThrownBy(() -> cache.toSql(META, Change.delete(FILES, row("path", null))))
                .isInstanceOf(ApplyException.class).hasMessage("change for public.files has no value for primary-key column path");
    }

    @Test
    void shouldKeepGivingTheRightTextBeyondItsBound() {
        TableMeta wide = new TableMeta(FILES, java.util.stream.IntStream.range(0, 8)
                .mapToObj(i -> new ColumnMeta("c" + i, "text", "text", false)).toList(), List.of());
        for (int mask = 0; mask < 256; mask++) {
            Map<String, Object> old = new LinkedHashMap<>();
            for (int i = 0; i < 8; i++) {
                old.put("c" + i, (mask >> i & 1) == 1 ? null : "v");
            }
            Change delete = new Change(Change.Op.DELETE, FILES, Map.of(), old, Map.of());

            assertThat(cache.toSql(wide, delete).sql()).isEqualTo(ChangeApplier.toSql(wide, delete).sql());
        }
    }
}
