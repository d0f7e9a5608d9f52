package io.understudy.replicator;

import static io.understudy.replicator.PgPair.count;
import static io.understudy.replicator.PgPair.exec;
import static io.understudy.replicator.PgPair.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.understudy.replicator.apply.TableName;
import io.understudy.replicator.scope.CaptureSchema;
import io.understudy.replicator.scope.ReplicationScope;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An application's own schema on a real source and target: scope by patterns, the schema copied by a fresh sync,
 * tables without a primary key, excluded tables, and schema changes made on the source while it streams.
 */
class AppSchemaIT extends WithPgPair {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final List<TableName> BUILT_IN = List.of(TableName.parse("understudy.ddl_log"),
            TableName.parse("understudy.sequence_marks"));

    @BeforeAll
    static void understudyTables() throws Exception {
        for (var server : List.of(pg.source, pg.target)) {
            try (Connection c = server.getPostgresDatabase().getConnection()) {
                CaptureSchema.ensureTables(c);
            }
        }
    }

    private static ReplicationScope scope(String include, String exclude) {
        return new ReplicationScope(BUILT_IN, ReplicationScope.patterns(include), ReplicationScope.patterns(exclude),
                ReplicationScope.NoPrimaryKey.FULL);
    }

    private static void capture(ReplicationScope scope) throws Exception {
        try (Connection c = pg.source.getPostgresDatabase().getConnection()) {
            CaptureSchema.installCapture(c, scope);
        }
    }

    @Test
    void clearingTheCaptureCreatesUnderstudysTablesOnlyWhereTheyAreMissing() throws Exception {
        exec(pg.source, "CREATE DATABASE capture_clear");
        try (Connection c = pg.source.getDatabase("postgres", "capture_clear").getConnection()) {
            CaptureSchema.clearCapture(c); // a database without them
            CaptureSchema.installCapture(c, scope("shop.*", ""));
            CaptureSchema.clearCapture(c);
            try (var rs = c.createStatement().executeQuery("SELECT (SELECT count(*) FROM understudy.capture_scope),"
                    + " to_regclass('understudy.ddl_log') IS NOT NULL, to_regclass('understudy.sequence_marks') IS NOT NULL")) {
                rs.next();
                assertThat(rs.getInt(1)).as("patterns left").isZero();
                assertThat(rs.getBoolean(2) && rs.getBoolean(3)).isTrue();
            }
        }
    }

    @Test
    void installingTheSameCaptureAgainWritesNothingAndAnyDifferenceReinstallsIt() throws Exception {
        exec(pg.source, "CREATE DATABASE capture_again");
        try (Connection c = pg.source.getDatabase("postgres", "capture_again").getConnection()) {
            CaptureSchema.ensureTables(c);
            ReplicationScope shop = scope("shop.*", "");

            assertThat(CaptureSchema.installCapture(c, shop)).isTrue();
            assertThat(CaptureSchema.installCapture(c, shop)).isFalse();

            assertThat(CaptureSchema.installCapture(c, scope("shop.*", "shop.audit"))).isTrue(); // other patterns
            assertThat(CaptureSchema.installCapture(c, shop)).isTrue();
            assertThat(CaptureSchema.installCapture(c, new ReplicationScope(BUILT_IN, ReplicationScope.patterns("shop.*"),
                    List.of(), ReplicationScope.NoPrimaryKey.REFUSE))).isTrue(); // other function text
            assertThat(CaptureSchema.installCapture(c, shop)).isTrue();
            c.createStatement().execute("ALTER EVENT TRIGGER understudy_capture_ddl DISABLE");
            assertThat(CaptureSchema.installCapture(c, shop)).isTrue();
            c.createStatement().execute("DROP FUNCTION understudy.log_ddl");
            assertThat(CaptureSchema.installCapture(c, shop)).isTrue();
            assertThat(CaptureSchema.installCapture(c, shop)).isFalse();
            CaptureSchema.clearCapture(c);
            assertThat(CaptureSchema.installCapture(c, shop)).isTrue();
            assertThat(CaptureSchema.installCapture(c, shop)).isFalse();

            try (var rs = c.createStatement().executeQuery("SELECT string_agg(evtname || ':' || evtenabled::text, ',' ORDER BY evtname)"
                    + " FROM pg_event_trigger")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("understudy_capture_ddl:O,understudy_note_drop:O");
            }
        }
    }

    private Replicator start(String name, ReplicationScope scope) {
        Replicator r = new Replicator(pg.config(name, dataDir, scope), pg.targetPool, new Recorder());
        r.start();
        await().atMost(WAIT).until(() -> r.status().state() == State.STREAMING || r.status().state() == State.FAILED);
        assertThat(r.status().error()).isNull();
        return r;
    }

    /** Every table of {@code schema}: its columns and types, then its rows, in one comparable text per table. */
    private static List<String> contents(io.zonky.test.db.postgres.embedded.EmbeddedPostgres server, String schema) throws Exception {
        List<String> out = rows(server, "SELECT table_name || '(' || string_agg(column_name || ' ' || data_type, ', '"
                + " ORDER BY ordinal_position) || ')' FROM information_schema.columns WHERE table_schema = '" + schema + "'"
                + " GROUP BY table_name ORDER BY table_name");
        for (String table : rows(server, "SELECT tablename FROM pg_tables WHERE schemaname = '" + schema + "' ORDER BY 1")) {
            out.addAll(rows(server, "SELECT '" + table + "=' || coalesce(json_agg(t ORDER BY t::text)::text, '[]') FROM "
                    + schema + "." + table + " t"));
        }
        return out;
    }

    @Test
    void aFreshSyncCopiesTheSchemaThenTheRowsOfSerialAndKeylessTables() throws Exception {
        exec(pg.source, """
                CREATE SCHEMA shop;
                CREATE TYPE shop.status AS ENUM ('new', 'paid');
                CREATE TABLE shop.orders (id serial PRIMARY KEY, status shop.status NOT NULL DEFAULT 'new', note text);
                CREATE INDEX orders_status ON shop.orders (status);
                CREATE TABLE shop.events (at timestamptz NOT NULL, payload json, note text);
                CREATE VIEW shop.paid AS SELECT id FROM shop.orders WHERE status = 'paid';
                INSERT INTO shop.orders (status, note) VALUES ('new', 'a'), ('paid', 'b');
                INSERT INTO shop.events VALUES ('2026-01-01T00:00Z', '{"k": 1}', 'twin'), ('2026-01-01T00:00Z', '{"k": 1}', 'twin')""");
        exec(pg.target, "CREATE SCHEMA shop; CREATE TABLE shop.stale (v int)"); // a fresh sync replaces what was there

        try (Replicator r = start("it_app_fresh", scope("shop.*", ""))) {
            assertThat(rows(pg.target, "SELECT tablename FROM pg_tables WHERE schemaname = 'shop' ORDER BY 1"))
                    .containsExactly("events", "orders");
            assertThat(rows(pg.target, "SELECT count(*)::text FROM shop.paid")).containsExactly("1");
            assertThat(rows(pg.target, "SELECT indexname FROM pg_indexes WHERE schemaname = 'shop' ORDER BY 1"))
                    .containsExactly("orders_pkey", "orders_status");
            assertThat(rows(pg.source, "SELECT relreplident::text FROM pg_class WHERE oid = 'shop.events'::regclass"))
                    .containsExactly("f");

            exec(pg.source, "INSERT INTO shop.orders (note) VALUES ('c')");
            exec(pg.source, "UPDATE shop.events SET note = 'changed' WHERE ctid = (SELECT ctid FROM shop.events LIMIT 1)");
            exec(pg.source, "UPDATE shop.orders SET status = 'paid' WHERE note = 'a'");
            await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(contents(pg.target, "shop")).isEqualTo(contents(pg.source, "shop")));
            exec(pg.source, "DELETE FROM shop.events WHERE note = 'twin'");
            await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(contents(pg.target, "shop")).isEqualTo(contents(pg.source, "shop")));
            assertThat(count(pg.target, "SELECT count(*) FROM shop.events")).isEqualTo(1);
        }
    }

    @Test
    void anExcludedTableIsNeitherPublishedNorCopiedAndStaysWritableOnThePrimary() throws Exception {
        exec(pg.source, """
                CREATE SCHEMA crm;
                CREATE TABLE crm.customers (id bigint PRIMARY KEY, name text);
                CREATE TABLE crm.audit_log (at timestamptz, what text);
                INSERT INTO crm.customers VALUES (1, 'ann');
                INSERT INTO crm.audit_log VALUES (now(), 'created ann')""");

        try (Replicator r = start("it_app_excluded", scope("crm.*", "crm.audit_log"))) {
            exec(pg.source, "UPDATE crm.audit_log SET what = 'edited'");
            exec(pg.source, "DELETE FROM crm.audit_log");
            exec(pg.source, "INSERT INTO crm.customers VALUES (2, 'bob')");

            await().atMost(WAIT).until(() -> count(pg.target, "SELECT count(*) FROM crm.customers") == 2);
            assertThat(rows(pg.source, "SELECT tablename FROM pg_publication_tables WHERE pubname = 'it_app_excluded'"
                    + " AND schemaname = 'crm'")).containsExactly("customers");
            assertThat(count(pg.target, "SELECT count(*) FROM crm.audit_log")).isZero(); // its definition, no rows
        }
    }

    @Test
    void schemaChangesOnTheSourceReplicateInOrderWithTheData() throws Exception {
        exec(pg.source, "CREATE SCHEMA inv; CREATE TABLE inv.stock (id bigserial PRIMARY KEY, name text, qty int);"
                + " INSERT INTO inv.stock (name, qty) VALUES ('bolt', 10); CREATE SCHEMA invx");
        for (var server : List.of(pg.source, pg.target)) {
            exec(server, "CREATE ROLE inv_reader"); // roles belong to each server
        }
        ReplicationScope scope = scope("inv.*", "");
        capture(scope);
        try (Connection c = pg.target.getPostgresDatabase().getConnection()) {
            CaptureSchema.installCapture(c, scope); // as on an old primary now following: it must stay quiet
        }

        try (Replicator r = start("understudy_it_ddl", scope)) {
            // a new table and its first rows in one transaction
            exec(pg.source, "BEGIN; CREATE TABLE inv.bins (id serial PRIMARY KEY, label text);"
                    + " INSERT INTO inv.bins (label) VALUES ('a1'), ('a2'); COMMIT");
            exec(pg.source, "ALTER TABLE inv.stock ADD COLUMN bin int DEFAULT 1");
            exec(pg.source, "INSERT INTO inv.stock (name, qty, bin) VALUES ('nut', 5, 2)");
            exec(pg.source, "ALTER TABLE inv.stock RENAME COLUMN name TO title");
            exec(pg.source, "UPDATE inv.stock SET title = upper(title)");
            exec(pg.source, "ALTER TABLE inv.stock ALTER COLUMN qty TYPE bigint");
            exec(pg.source, "UPDATE inv.stock SET qty = qty * 1000000000");
            exec(pg.source, "CREATE INDEX CONCURRENTLY stock_bin ON inv.stock (bin)");
            exec(pg.source, "ALTER TABLE inv.bins DROP COLUMN label");
            exec(pg.source, "CREATE SEQUENCE inv.tickets START 100");
            exec(pg.source, "CREATE TYPE inv.grade AS ENUM ('low')");
            exec(pg.source, "ALTER TYPE inv.grade ADD VALUE 'high'");
            exec(pg.source, "CREATE TABLE inv.graded (id int PRIMARY KEY, g inv.grade); INSERT INTO inv.graded VALUES (1, 'high')");
            exec(pg.source, "CREATE TABLE inv.notes (body text)"); // no primary key: FULL identity, then replicated
            exec(pg.source, "INSERT INTO inv.notes VALUES ('x'), ('x'); UPDATE inv.notes SET body = 'y'"
                    + " WHERE ctid = (SELECT ctid FROM inv.notes LIMIT 1)");
            // several statements in one query string (psql -c sends them as one)
            PgTools.run("psql", List.of("-h", "127.0.0.1", "-p", Integer.toString(pg.source.getPort()), "-U", "postgres",
                    "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c", "CREATE TABLE inv.multi (id int PRIMARY KEY);"
                            + " INSERT INTO inv.multi VALUES (1); ALTER TABLE inv.multi ADD COLUMN v text;"
                            + " UPDATE inv.multi SET v = 'set after the alter'; CREATE TABLE inv.gone (id int PRIMARY KEY)"), java.util.Map.of());
            exec(pg.source, "DROP TABLE inv.gone");
            // privileges: their commands name no schema to the capture, their text does
            exec(pg.source, "GRANT USAGE ON SCHEMA inv TO inv_reader");
            exec(pg.source, "GRANT SELECT ON inv.stock, \"inv\".\"bins\" TO inv_reader");
            exec(pg.source, "ALTER DEFAULT PRIVILEGES IN SCHEMA inv GRANT SELECT ON TABLES TO inv_reader");
            exec(pg.source, "GRANT SELECT ON ALL TABLES IN SCHEMA inv TO inv_reader; REVOKE SELECT ON inv.notes FROM inv_reader");
            exec(pg.source, "GRANT USAGE ON SCHEMA invx TO inv_reader"); // out of scope (a whole name): not replayed

            await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(rows(pg.target,
                    "SELECT has_schema_privilege('inv_reader', 'inv', 'USAGE')::text"
                    + " || has_table_privilege('inv_reader', 'inv.stock', 'SELECT')"
                    + " || has_table_privilege('inv_reader', 'inv.bins', 'SELECT')"
                    + " || has_table_privilege('inv_reader', 'inv.graded', 'SELECT')"
                    + " || has_table_privilege('inv_reader', 'inv.notes', 'SELECT')")).containsExactly("truetruetruetruefalse"));
            assertThat(rows(pg.target, "SELECT count(*)::text FROM pg_default_acl")).containsExactly("1");
            await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(contents(pg.target, "inv")).isEqualTo(contents(pg.source, "inv")));
            assertThat(rows(pg.target, "SELECT tablename FROM pg_tables WHERE schemaname = 'inv' ORDER BY 1"))
                    .containsExactly("bins", "graded", "multi", "notes", "stock");
            assertThat(rows(pg.target, "SELECT indexname FROM pg_indexes WHERE tablename = 'stock' ORDER BY 1"))
                    .containsExactly("stock_bin", "stock_pkey");
            assertThat(rows(pg.target, "SELECT start_value::text FROM pg_sequences WHERE sequencename = 'tickets'")).containsExactly("100");
            assertThat(rows(pg.source, "SELECT tablename FROM pg_publication_tables WHERE pubname = 'understudy_it_ddl'"
                    + " AND schemaname = 'inv' ORDER BY 1")).containsExactly("bins", "graded", "multi", "notes", "stock");
            // the target's own capture trigger did not fire for the replayed statements
            assertThat(rows(pg.target, "SELECT id || ' ' || command_tag FROM understudy.ddl_log ORDER BY id"))
                    .isEqualTo(rows(pg.source, "SELECT id || ' ' || command_tag FROM understudy.ddl_log ORDER BY id"));
            assertThat(rows(pg.source, "SELECT count(*)::text FROM understudy.ddl_log WHERE query LIKE '%invx%'")).containsExactly("0");
            assertThat(r.status().state()).isEqualTo(State.STREAMING);
        }
    }

    @Test
    void aSchemaChangeInsideAFunctionOrDoBlockIsRefusedOnThePrimary() throws Exception {
        exec(pg.source, "CREATE SCHEMA plan; CREATE TABLE plan.t (id int PRIMARY KEY)");
        capture(scope("plan.*", ""));

        assertThatThrownBy(() -> exec(pg.source, "DO $$ BEGIN ALTER TABLE plan.t ADD COLUMN v int; END $$"))
                .hasMessageContaining("inside a function, procedure or DO block cannot be replicated");
        assertThat(count(pg.source, "SELECT count(*) FROM information_schema.columns WHERE table_name = 't' AND table_schema = 'plan'"))
                .isEqualTo(1);
        exec(pg.source, "DO $$ BEGIN CREATE TABLE public.not_captured (id int); END $$"); // outside the scope: left alone
    }
}
