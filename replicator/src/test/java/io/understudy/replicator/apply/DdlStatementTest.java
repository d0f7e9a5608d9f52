package io.understudy.replicator.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DdlStatementTest {

    private static List<String> texts(String sql) {
        return SqlScript.split(sql).stream().map(SqlScript.Statement::text).toList();
    }

    @Test
    void shouldSplitAtSemicolonsOutsideStringsIdentifiersCommentsAndBodies() {
        String sql = """
                CREATE TABLE app.t (v text DEFAULT 'a;b', "odd;name" int); -- a comment; still a comment
                INSERT INTO app.t VALUES (E'it\\'s; fine');
                /* block; /* nested; */ still */ CREATE FUNCTION app.f() RETURNS int LANGUAGE sql AS $body$ SELECT 1; $body$;
                CREATE FUNCTION app.g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END;
                ;;
                SELECT $1 FROM a$b""";

        assertThat(texts(sql)).containsExactly(
                "CREATE TABLE app.t (v text DEFAULT 'a;b', \"odd;name\" int)",
                "-- a comment; still a comment\nINSERT INTO app.t VALUES (E'it\\'s; fine')",
                "/* block; /* nested; */ still */ CREATE FUNCTION app.f() RETURNS int LANGUAGE sql AS $body$ SELECT 1; $body$",
                "CREATE FUNCTION app.g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END",
                "SELECT $1 FROM a$b");
    }

    @Test
    void shouldFindTheStatementOfEachCommandOfAMultiStatementString() {
        String query = "BEGIN; CREATE TABLE app.a (id int); INSERT INTO app.a VALUES (1); ALTER TABLE app.a ADD COLUMN v text;"
                + " CREATE ROLE r; SELECT 1 INTO app.b; COMMENT ON TABLE app.a IS 'x; y'; COMMIT";

        assertThat(DdlStatement.find(query, 1, "CREATE TABLE")).isEqualTo("CREATE TABLE app.a (id int)");
        assertThat(DdlStatement.find(query, 2, "ALTER TABLE")).isEqualTo("ALTER TABLE app.a ADD COLUMN v text");
        assertThat(DdlStatement.find(query, 3, "SELECT INTO")).isEqualTo("SELECT 1 INTO app.b");
        assertThat(DdlStatement.find(query, 4, "COMMENT")).isEqualTo("COMMENT ON TABLE app.a IS 'x; y'");
    }

    @ParameterizedTest(name = "{0} carries {1}")
    @CsvSource(delimiter = '|', value = {
            "CREATE TABLE app.t (id int)                         | CREATE TABLE",
            "create unlogged table if not exists app.t (id int)  | CREATE TABLE",
            "CREATE TABLE app.t AS SELECT 1                      | CREATE TABLE AS",
            "CREATE UNIQUE INDEX CONCURRENTLY i ON app.t (id)    | CREATE INDEX",
            "CREATE OR REPLACE VIEW app.v AS SELECT 1            | CREATE VIEW",
            "CREATE OR REPLACE FUNCTION app.f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql | CREATE FUNCTION",
            "ALTER TABLE IF EXISTS app.t RENAME COLUMN a TO b    | ALTER TABLE",
            "ALTER TYPE app.mood ADD VALUE 'sad'                 | ALTER TYPE",
            "ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO r | ALTER DEFAULT PRIVILEGES",
            "GRANT SELECT ON app.t TO r                          | GRANT",
            "CREATE USER MAPPING FOR r SERVER s                  | CREATE USER MAPPING",
            "DROP TABLE app.t, app.u CASCADE                     | DROP TABLE",
            "REFRESH MATERIALIZED VIEW app.m                     | REFRESH MATERIALIZED VIEW",
    })
    void shouldMatchTheCommandTag(String statement, String tag) {
        assertThat(DdlStatement.find(statement, 1, tag)).isEqualTo(statement);
    }

    @ParameterizedTest(name = "{0} fires no event trigger")
    @CsvSource(delimiter = '|', value = {
            "CREATE ROLE app_user",
            "ALTER ROLE app_user SET search_path = app",
            "GRANT app_user TO other",
            "GRANT CONNECT ON DATABASE postgres TO app_user",
            "CREATE DATABASE x",
            "ALTER SYSTEM SET work_mem = '8MB'",
            "CREATE EVENT TRIGGER e ON ddl_command_end EXECUTE FUNCTION f()",
            "COMMENT ON ROLE app_user IS 'x'",
            "INSERT INTO app.t SELECT 1",
            "SELECT count(*) FROM (SELECT 1 INTO x) s",
    })
    void shouldNotCountStatementsThatFireNoEventTrigger(String statement) {
        assertThat(DdlStatement.firesEventTrigger(SqlScript.split(statement).get(0))).isFalse();
    }

    @Test
    void shouldRefuseToGuessWhenTheOrdinalOrTheTagDisagree() {
        String query = "CREATE TABLE app.a (id int); DO $$ BEGIN EXECUTE 'CREATE TABLE app.b (id int)'; END $$";

        assertThatThrownBy(() -> DdlStatement.find(query, 2, "CREATE TABLE")).isInstanceOf(ApplyException.class)
                .hasMessageContaining("#2 cannot be found").hasMessageContaining("1 schema-changing statement");
        assertThatThrownBy(() -> DdlStatement.find(query, 1, "ALTER TABLE")).isInstanceOf(ApplyException.class)
                .hasMessageContaining("does not match statement 'CREATE TABLE app.a (id int)'");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "CREATE INDEX CONCURRENTLY i ON app.t (v)             | CREATE INDEX i ON app.t (v)",
            "create unique index concurrently if not exists i on app.t (v) | create unique index if not exists i on app.t (v)",
            "DROP INDEX CONCURRENTLY app.i                        | DROP INDEX app.i",
            "CREATE INDEX i ON app.t (concurrently)               | CREATE INDEX i ON app.t (concurrently)",
            "CREATE TABLE app.concurrently (id int)               | CREATE TABLE app.concurrently (id int)",
            "COMMENT ON INDEX app.i IS 'CONCURRENTLY'             | COMMENT ON INDEX app.i IS 'CONCURRENTLY'",
    })
    void shouldMakeIndexCommandsRunInsideATransaction(String statement, String rewritten) {
        assertThat(DdlStatement.forTransaction(statement)).isEqualTo(rewritten);
    }
}
