package io.understudy.replicator.scope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.understudy.replicator.apply.TableName;
import io.understudy.replicator.scope.ReplicationScope.NoPrimaryKey;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ReplicationScopeTest {

    private static final List<TableName> BUILT_IN = List.of(TableName.parse("public.objects"), TableName.parse("understudy.ddl_log"));

    private static ReplicationScope scope(String include, String exclude, NoPrimaryKey mode) {
        return new ReplicationScope(BUILT_IN, ReplicationScope.patterns(include), ReplicationScope.patterns(exclude), mode);
    }

    @ParameterizedTest(name = "include={0} exclude={1}: {2} -> {3}")
    @CsvSource(delimiter = '|', value = {
            // the built-in tables, whatever the patterns
            "''           | ''             | public.objects     | true",
            "''           | ''             | understudy.ddl_log | true",
            "''           | ''             | app.orders         | false",
            // schema-wide and single-table patterns
            "app.*        | ''             | app.orders         | true",
            "app.*        | ''             | billing.orders     | false",
            "app.orders   | ''             | app.orders         | true",
            "app.orders   | ''             | app.order          | false",
            "app.tmp_*    | ''             | app.tmp_x          | true",
            "app.tmp_*    | ''             | app.tmpx           | false",
            "*.*          | ''             | billing.orders     | true",
            // exclude wins
            "app.*        | app.audit_log  | app.audit_log      | false",
            "app.*        | app.audit_log  | app.orders         | true",
            "*.*          | billing.*      | billing.orders     | false",
            // a wildcard never reaches the node's, Understudy's or PostgreSQL's own schemas
            "*.*          | ''             | public.flyway_schema_history | false",
            "*.*          | ''             | understudy.capture_scope     | false",
            "*.*          | ''             | pg_temp_3.t                  | false",
            "*.*          | ''             | information_schema.tables    | false",
    })
    void shouldCoverTablesByPatterns(String include, String exclude, String table, boolean covered) {
        TableName t = TableName.parse(table);

        assertThat(scope(include, exclude, NoPrimaryKey.FULL).covers(t.schema(), t.table())).isEqualTo(covered);
    }

    @ParameterizedTest(name = "''{0}'' -> {1}")
    @CsvSource(delimiter = '|', value = {
            "app              | not a schema.table pattern",
            "app.orders.x     | not a schema.table pattern",
            ".orders          | not a schema.table pattern",
            "app.ord-ers      | not a schema.table pattern",
            "public.*         | names schema public",
            "understudy.t     | names schema understudy",
            "pg_catalog.*     | names schema pg_catalog",
    })
    void shouldRefuseMalformedOrReservedPatterns(String pattern, String problem) {
        assertThatThrownBy(() -> ReplicationScope.patterns(pattern)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(problem);
    }

    @Test
    void shouldCaptureSchemaChangesInEverySchemaAnIncludePatternNames() {
        ReplicationScope s = scope("app.*, billing.invoices", "app.audit_log", NoPrimaryKey.FULL);

        assertThat(s.capturedSchemas(List.of("app", "billing", "other", "public", "understudy"))).containsExactly("app", "billing");
        assertThat(scope("", "", NoPrimaryKey.FULL).capturedSchemas(List.of("app", "public"))).isEmpty();
    }

    private static CatalogTable table(String name, char kind, boolean partition, char persistence, boolean pk, char identity) {
        TableName t = TableName.parse(name);
        return new CatalogTable(t.schema(), t.table(), kind, partition, persistence, pk, identity);
    }

    private static final List<CatalogTable> CATALOG = List.of(
            CatalogTable.plain("public", "objects"),
            CatalogTable.plain("understudy", "ddl_log"),
            CatalogTable.plain("app", "orders"),
            table("app.events", 'r', false, 'p', false, 'd'),
            table("app.keyed_by_index", 'r', false, 'p', false, 'i'),
            table("app.already_full", 'r', false, 'p', false, 'f'),
            table("app.cache", 'r', false, 'u', true, 'd'),
            CatalogTable.plain("app", "audit_log"),
            CatalogTable.plain("other", "t"));

    @Test
    void shouldPublishTablesInScopeAndGiveThoseWithoutPrimaryKeyAFullIdentity() {
        Resolution r = scope("app.*", "app.audit_log", NoPrimaryKey.FULL).resolve(CATALOG);

        assertThat(r).isInstanceOf(Resolution.Replicable.class);
        Resolution.Replicable ok = (Resolution.Replicable) r;
        assertThat(ok.publish()).extracting(TableName::toString).containsExactly("app.already_full", "app.events",
                "app.keyed_by_index", "app.orders", "public.objects", "understudy.ddl_log");
        assertThat(ok.makeFull()).extracting(TableName::toString).containsExactly("app.events");
        assertThat(ok.unlogged()).extracting(TableName::toString).containsExactly("app.cache");
    }

    @Test
    void shouldRefuseATableWithoutPrimaryKeyNamingIt() {
        Resolution r = scope("app.*", "", NoPrimaryKey.REFUSE).resolve(CATALOG);

        assertThat(r).isInstanceOf(Resolution.Refused.class);
        assertThat(((Resolution.Refused) r).reason()).contains("app.events has no primary key").contains("replication.noPrimaryKey")
                .doesNotContain("app.keyed_by_index").doesNotContain("app.already_full");
        assertThat(scope("app.*", "app.events", NoPrimaryKey.REFUSE).resolve(CATALOG)).isInstanceOf(Resolution.Replicable.class);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "app.parted | p | false | partitioned",
            "app.part_1 | r | true  | partitioned",
            "app.Odd-Name | r | false | cannot replicate",
    })
    void shouldRefuseTablesItCannotReplicateNamingThem(String name, char kind, boolean partition, String problem) {
        int dot = name.indexOf('.');
        CatalogTable t = new CatalogTable(name.substring(0, dot), name.substring(dot + 1), kind, partition, 'p', true, 'd');

        Resolution r = scope("app.*", "", NoPrimaryKey.FULL).resolve(List.of(CatalogTable.plain("public", "objects"),
                CatalogTable.plain("understudy", "ddl_log"), t));

        assertThat(((Resolution.Refused) r).reason()).contains(name.substring(dot + 1)).contains(problem);
    }

    @Test
    void shouldRefuseWhenABuiltInTableIsMissing() {
        Resolution r = scope("", "", NoPrimaryKey.FULL).resolve(List.of(CatalogTable.plain("public", "objects")));

        assertThat(((Resolution.Refused) r).reason()).contains("understudy.ddl_log does not exist");
    }

    @ParameterizedTest(name = "{0} passes Debezium's filter: {1}")
    @CsvSource(delimiter = '|', value = {
            "public.objects     | true",
            "understudy.ddl_log | true",
            "app.orders         | true",
            "app.created_later  | true",
            "app.audit_log      | false",
            "app.cache          | false",
            "other.t            | false",
            "public.other       | false",
    })
    void shouldFilterForDebeziumByPatternsSoLaterTablesPass(String table, boolean passes) {
        ReplicationScope s = scope("app.*", "app.audit_log", NoPrimaryKey.FULL);
        Resolution.Replicable r = (Resolution.Replicable) s.resolve(CATALOG);

        // Debezium matches each comma-separated expression against the whole schema.table
        boolean matched = List.of(s.debeziumTableFilter(r).split(",")).stream().anyMatch(re -> Pattern.compile(re).matcher(table).matches());

        assertThat(matched).isEqualTo(passes);
    }
}
