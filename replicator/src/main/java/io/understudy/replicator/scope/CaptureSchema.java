package io.understudy.replicator.scope;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Understudy's objects in schema {@code understudy}: the replicated {@code ddl_log} and {@code sequence_marks}
 * tables (on every node: a secondary applies their rows) and, on a primary, the capture of schema changes: an event
 * trigger that writes each DDL statement touching a captured schema into {@code ddl_log}, in the same transaction,
 * and keeps the publications and replica identities of tables in scope right (see docs/replication-scope.md).
 * Idempotent; installing the capture needs a superuser (event triggers).
 */
public final class CaptureSchema {

    /** The replicated log of captured schema changes. */
    public static final String DDL_LOG = "understudy.ddl_log";
    /** The replicated record of the primary's sequence values. */
    public static final String SEQUENCE_MARKS = "understudy.sequence_marks";

    /** Starts the capture function's comment, which carries the fingerprint of the installed functions' text. */
    private static final String FINGERPRINT_PREFIX = "understudy capture ";
    private static final Pattern FUNCTION_NAME = Pattern.compile("CREATE OR REPLACE FUNCTION understudy\\.([a-z_]+)\\(");

    private static final String TABLES = """
            CREATE SCHEMA IF NOT EXISTS understudy;
            CREATE TABLE IF NOT EXISTS understudy.ddl_log (
                id              bigserial   PRIMARY KEY,
                query           text        NOT NULL,
                ordinal         integer     NOT NULL,
                command_tag     text        NOT NULL,
                object_identity text,
                search_path     text        NOT NULL,
                role_name       text        NOT NULL,
                logged_at       timestamptz NOT NULL DEFAULT now());
            CREATE TABLE IF NOT EXISTS understudy.sequence_marks (
                sequence_schema text        NOT NULL,
                sequence_name   text        NOT NULL,
                last_value      bigint      NOT NULL,
                marked_at       timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (sequence_schema, sequence_name));
            CREATE TABLE IF NOT EXISTS understudy.capture_scope (
                kind        text NOT NULL CHECK (kind IN ('include', 'exclude')),
                pattern     text NOT NULL,
                schema_like text NOT NULL,
                table_like  text NOT NULL);
            GRANT USAGE ON SCHEMA understudy TO PUBLIC;
            GRANT SELECT ON understudy.capture_scope TO PUBLIC;
            """;

    private static final String FUNCTIONS = """
            CREATE OR REPLACE FUNCTION understudy.captured_schema(s text) RETURNS boolean LANGUAGE sql STABLE AS $f$
              SELECT s IS NOT NULL AND s NOT IN ('public', 'understudy', 'information_schema') AND s NOT LIKE 'pg\\_%'
                 AND EXISTS (SELECT 1 FROM understudy.capture_scope WHERE kind = 'include' AND s LIKE schema_like)
            $f$;
            CREATE OR REPLACE FUNCTION understudy.table_in_scope(s text, t text) RETURNS boolean LANGUAGE sql STABLE AS $f$
              SELECT understudy.captured_schema(s)
                 AND EXISTS (SELECT 1 FROM understudy.capture_scope WHERE kind = 'include' AND s LIKE schema_like AND t LIKE table_like)
                 AND NOT EXISTS (SELECT 1 FROM understudy.capture_scope WHERE kind = 'exclude' AND s LIKE schema_like AND t LIKE table_like)
            $f$;
            -- The schemas a GRANT, REVOKE or ALTER DEFAULT PRIVILEGES names in its text: qualified names (s.t) and the lists
            -- after SCHEMA (ON SCHEMA s, IN SCHEMA s), as whole identifiers, quoted or folded to lower case. Their
            -- commands carry no schema in pg_event_trigger_ddl_commands(); an unqualified name is not recognised.
            CREATE OR REPLACE FUNCTION understudy.privilege_schemas(q text) RETURNS SETOF text LANGUAGE sql IMMUTABLE AS $f$
              WITH named AS (
                SELECT t[1] AS ident
                  FROM regexp_matches(q, '\\mSCHEMA\\s+((?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)(?:\\s*,\\s*(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*))*)', 'gi') l,
                       regexp_matches(l[1], '((?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*))', 'g') t
                UNION ALL
                SELECT m[1] FROM regexp_matches(q, '((?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*))\\s*\\.\\s*(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)', 'g') m)
              SELECT DISTINCT CASE WHEN left(ident, 1) = '"' THEN replace(substr(ident, 2, length(ident) - 2), '""', '"')
                                   ELSE lower(ident) END
                FROM named
            $f$;
            CREATE OR REPLACE FUNCTION understudy.no_primary_key() RETURNS text LANGUAGE sql IMMUTABLE AS $f$ SELECT '%NO_PK%'::text $f$;

            -- A table a captured command touched: replica identity and membership of every Understudy publication as the
            -- scope says. Runs as its owner (a superuser), called only by log_ddl.
            CREATE OR REPLACE FUNCTION understudy.reconcile_table(rel oid, created boolean) RETURNS void LANGUAGE plpgsql
              SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $f$
            DECLARE
              r record;
              pub record;
              wanted boolean;
              member boolean;
              has_rows boolean;
            BEGIN
              SELECT n.nspname, c.relname, c.relkind, c.relispartition, c.relpersistence, c.relreplident,
                     EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary) AS has_pk
                INTO r FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = rel;
              IF NOT FOUND OR r.relkind NOT IN ('r', 'p') THEN
                RETURN;
              END IF;
              wanted := understudy.table_in_scope(r.nspname, r.relname);
              IF wanted AND (r.relkind = 'p' OR r.relispartition) THEN
                RAISE EXCEPTION 'understudy: %.% is partitioned (or a partition); partitioned tables are not replicated yet',
                  r.nspname, r.relname USING ERRCODE = 'feature_not_supported', HINT = 'Add it to replication.exclude.';
              END IF;
              IF wanted AND r.relname !~ '^[A-Za-z_][A-Za-z0-9_$]*$' THEN
                RAISE EXCEPTION 'understudy: table name %.% cannot be replicated (letters, digits, _ and $ only)',
                  r.nspname, r.relname USING ERRCODE = 'feature_not_supported';
              END IF;
              wanted := wanted AND r.relpersistence = 'p';
              PERFORM pg_advisory_xact_lock(%LOCK_NS%, %LOCK_PUB%);
              PERFORM set_config('understudy.ddl_reconciling', 'on', true);
              IF wanted AND NOT (r.relreplident IN ('f', 'i') OR (r.relreplident = 'd' AND r.has_pk)) THEN
                IF understudy.no_primary_key() = 'refuse' THEN
                  RAISE EXCEPTION 'understudy: table %.% has no primary key and replication.noPrimaryKey is refuse',
                    r.nspname, r.relname USING ERRCODE = 'feature_not_supported',
                    HINT = 'Give it a primary key in the same statement, exclude it, or set replication.noPrimaryKey=full.';
                END IF;
                EXECUTE format('ALTER TABLE %I.%I REPLICA IDENTITY FULL', r.nspname, r.relname);
              END IF;
              FOR pub IN SELECT p.oid, p.pubname FROM pg_publication p WHERE p.pubname LIKE 'understudy\\_%' LOOP
                member := EXISTS (SELECT 1 FROM pg_publication_rel pr WHERE pr.prpubid = pub.oid AND pr.prrelid = rel);
                IF wanted AND NOT member THEN
                  IF NOT created THEN
                    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.%I)', r.nspname, r.relname) INTO has_rows;
                    IF has_rows THEN
                      RAISE EXCEPTION 'understudy: %.% comes into the replicated scope with rows the secondaries never copied',
                        r.nspname, r.relname USING ERRCODE = 'feature_not_supported',
                        HINT = 'Create the table in scope and copy the rows into it, or change replication.include and let the secondaries copy afresh.';
                    END IF;
                  END IF;
                  EXECUTE format('ALTER PUBLICATION %I ADD TABLE %I.%I', pub.pubname, r.nspname, r.relname);
                ELSIF member AND NOT wanted THEN
                  EXECUTE format('ALTER PUBLICATION %I DROP TABLE %I.%I', pub.pubname, r.nspname, r.relname);
                END IF;
              END LOOP;
              -- a local setting outlives the function: later commands of the transaction must be captured again
              PERFORM set_config('understudy.ddl_reconciling', '', true);
            END $f$;
            REVOKE ALL ON FUNCTION understudy.reconcile_table(oid, boolean) FROM PUBLIC;

            -- Writes one captured command into ddl_log. Only from inside the capture trigger: the call of
            -- pg_event_trigger_ddl_commands() fails anywhere else, so nobody can log a statement they did not run.
            CREATE OR REPLACE FUNCTION understudy.log_ddl(query text, command_ordinal integer, tag text, identity text,
                path text, role_name text, tables oid[]) RETURNS void LANGUAGE plpgsql
              SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $f$
            DECLARE
              t oid;
            BEGIN
              PERFORM count(*) FROM pg_event_trigger_ddl_commands();
              IF NOT pg_try_advisory_xact_lock_shared(%LOCK_NS%, %LOCK_COPY%) THEN
                RAISE EXCEPTION 'understudy: a secondary is copying the replicated schemas; run % again once its copy is complete', tag
                  USING ERRCODE = 'lock_not_available',
                  HINT = 'A fresh copy takes seconds to minutes; the secondary shows SNAPSHOTTING until it is complete.';
              END IF;
              INSERT INTO understudy.ddl_log (query, ordinal, command_tag, object_identity, search_path, role_name)
                VALUES (query, command_ordinal, tag, identity, path, role_name);
              FOREACH t IN ARRAY coalesce(tables, '{}'::oid[]) LOOP
                PERFORM understudy.reconcile_table(t, tag IN ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO'));
              END LOOP;
            END $f$;

            CREATE OR REPLACE FUNCTION understudy.note_drop() RETURNS event_trigger LANGUAGE plpgsql AS $f$
            BEGIN
              IF EXISTS (SELECT 1 FROM pg_event_trigger_dropped_objects() d WHERE understudy.captured_schema(d.schema_name)
                         OR (d.object_type = 'schema' AND understudy.captured_schema(d.object_name))) THEN
                PERFORM set_config('understudy.ddl_dropped', 'on', true);
              END IF;
            END $f$;

            -- Counts the DDL commands of each query string (the secondary finds the statement by that ordinal), and
            -- hands those touching a captured schema to log_ddl. Runs as the user who issued the command, so the
            -- recorded role and search path are that user's.
            CREATE OR REPLACE FUNCTION understudy.capture_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $f$
            DECLARE
              query_key text := md5(current_query()) || '@' || statement_timestamp();
              previous text := coalesce(current_setting('understudy.ddl_ordinal', true), '');
              command_ordinal integer := 1;
              captured boolean := coalesce(current_setting('understudy.ddl_dropped', true), '') = 'on';
              identities text;
              tables oid[];
              stack text;
              nested boolean;
            BEGIN
              IF coalesce(current_setting('understudy.ddl_reconciling', true), '') = 'on' THEN
                RETURN;
              END IF;
              PERFORM set_config('understudy.ddl_dropped', '', true);
              SELECT captured OR coalesce(bool_or(understudy.captured_schema(c.schema_name)
                       OR (c.object_type = 'schema' AND understudy.captured_schema(c.object_identity))), false),
                     string_agg(DISTINCT c.object_identity, ', '),
                     array_agg(DISTINCT c.objid) FILTER (WHERE c.classid = 'pg_class'::regclass AND c.object_type = 'table')
                INTO captured, identities, tables
                FROM pg_event_trigger_ddl_commands() c;
              IF tg_tag IN ('GRANT', 'REVOKE', 'ALTER DEFAULT PRIVILEGES') AND NOT captured THEN
                SELECT coalesce(bool_or(understudy.captured_schema(s)), false),
                       'schema ' || string_agg(quote_ident(s), ', ') FILTER (WHERE understudy.captured_schema(s))
                  INTO captured, identities
                  FROM understudy.privilege_schemas(current_query()) s;
              END IF;
              GET DIAGNOSTICS stack = PG_CONTEXT;
              nested := position(E'\\n' IN stack) > 0;
              IF nested AND captured THEN
                RAISE EXCEPTION 'understudy: % inside a function, procedure or DO block cannot be replicated', tg_tag
                  USING ERRCODE = 'feature_not_supported',
                  HINT = 'Run schema changes of replicated schemas as top-level statements.';
              END IF;
              IF nested THEN
                RETURN;
              END IF;
              IF split_part(previous, '#', 1) = query_key THEN
                command_ordinal := split_part(previous, '#', 2)::integer + 1;
              END IF;
              PERFORM set_config('understudy.ddl_ordinal', query_key || '#' || command_ordinal, false);
              IF captured THEN
                PERFORM understudy.log_ddl(current_query(), command_ordinal, tg_tag, identities,
                    (SELECT coalesce(string_agg(quote_ident(s), ', '), '') FROM unnest(current_schemas(false)) s),
                    current_user::text, tables);
              END IF;
            END $f$;

            DROP EVENT TRIGGER IF EXISTS understudy_capture_ddl;
            CREATE EVENT TRIGGER understudy_capture_ddl ON ddl_command_end EXECUTE FUNCTION understudy.capture_ddl();
            DROP EVENT TRIGGER IF EXISTS understudy_note_drop;
            CREATE EVENT TRIGGER understudy_note_drop ON sql_drop EXECUTE FUNCTION understudy.note_drop();
            """;

    private CaptureSchema() {
    }

    /** Creates the schema and tables if missing. Every node, at start. */
    public static void ensureTables(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(TABLES);
        }
    }

    /**
     * On a primary: records {@code scope}'s patterns for the trigger and (re)creates the capture functions and event
     * triggers, in one transaction; nothing when exactly that capture is in place already (see {@link #installed}).
     *
     * @return whether anything was written
     */
    public static boolean installCapture(Connection c, ReplicationScope scope) throws SQLException {
        String functions = functions(scope);
        if (installed(c, scope, functions)) {
            return false;
        }
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute(TABLES);
            st.execute("DELETE FROM understudy.capture_scope");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO understudy.capture_scope VALUES (?, ?, ?, ?)")) {
                for (TablePattern p : scope.include()) {
                    row(ps, "include", p);
                }
                for (TablePattern p : scope.exclude()) {
                    row(ps, "exclude", p);
                }
                ps.executeBatch();
            }
            st.execute(functions);
            st.execute("COMMENT ON FUNCTION understudy.capture_ddl() IS '" + FINGERPRINT_PREFIX + fingerprint(functions) + "'");
            c.commit();
            return true;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    private static String functions(ReplicationScope scope) {
        return FUNCTIONS.replace("%NO_PK%", scope.noPrimaryKey().name().toLowerCase(Locale.ROOT))
                .replace("%LOCK_NS%", Integer.toString(SourceLocks.NAMESPACE))
                .replace("%LOCK_PUB%", Integer.toString(SourceLocks.PUBLICATIONS))
                .replace("%LOCK_COPY%", Integer.toString(SourceLocks.SCHEMA_COPY));
    }

    /**
     * Whether this database already captures exactly as {@link #installCapture} would: the functions of this text
     * (their fingerprint is the capture function's comment, and each of them exists), both event triggers enabled,
     * and {@code scope}'s patterns recorded. A node promoted again with the same scope then skips rewriting them (a transaction of
     * catalog changes before its write gate opens). Read-only; any doubt (a missing table, say) answers false.
     */
    static boolean installed(Connection c, ReplicationScope scope, String functions) {
        try (Statement st = c.createStatement()) {
            List<String> names = new ArrayList<>();
            Matcher m = FUNCTION_NAME.matcher(functions);
            while (m.find()) {
                names.add("'" + m.group(1) + "'");
            }
            try (ResultSet rs = st.executeQuery("SELECT obj_description(to_regprocedure('understudy.capture_ddl()'), 'pg_proc'),"
                    + " (SELECT count(*) FROM pg_event_trigger WHERE evtenabled = 'O'"
                    + " AND evtname IN ('understudy_capture_ddl', 'understudy_note_drop')),"
                    + " (SELECT count(DISTINCT proname) FROM pg_proc WHERE pronamespace = 'understudy'::regnamespace"
                    + " AND proname IN (" + String.join(", ", names) + "))")) {
                if (!rs.next() || !(FINGERPRINT_PREFIX + fingerprint(functions)).equals(rs.getString(1)) || rs.getInt(2) != 2
                        || rs.getInt(3) != names.size()) {
                    return false;
                }
            }
            List<String> recorded = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT kind, pattern, schema_like, table_like FROM understudy.capture_scope")) {
                while (rs.next()) {
                    recorded.add(String.join("\t", rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
                }
            }
            List<String> wanted = new ArrayList<>();
            scope.include().forEach(p -> wanted.add(String.join("\t", "include", p.toString(), p.schemaLike(), p.tableLike())));
            scope.exclude().forEach(p -> wanted.add(String.join("\t", "exclude", p.toString(), p.schemaLike(), p.tableLike())));
            Collections.sort(recorded);
            Collections.sort(wanted);
            return recorded.equals(wanted);
        } catch (SQLException e) {
            return false;
        }
    }

    private static String fingerprint(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * Stops capturing (no application schema in scope): the trigger then finds no captured schema. Runs before a new
     * primary's write gate opens: Understudy's tables are created only when missing (creating them again rewrites
     * catalog rows, a commit that waits for its flush), and deleting from an empty table writes nothing.
     */
    public static void clearCapture(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            boolean present;
            try (ResultSet rs = st.executeQuery("SELECT to_regclass('understudy.capture_scope') IS NOT NULL")) {
                present = rs.next() && rs.getBoolean(1);
            }
            if (!present) {
                st.execute(TABLES);
            }
            st.execute("DELETE FROM understudy.capture_scope");
        }
    }

    private static void row(PreparedStatement ps, String kind, TablePattern p) throws SQLException {
        ps.setString(1, kind);
        ps.setString(2, p.toString());
        ps.setString(3, p.schemaLike());
        ps.setString(4, p.tableLike());
        ps.addBatch();
    }
}
