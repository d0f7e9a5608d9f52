package io.understudy.replicator;

import static io.understudy.replicator.PgPair.exec;
import static io.understudy.replicator.PgPair.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.understudy.cluster.Lsn;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Value fidelity, TOAST, commit positions under interleaving, and commit-to-apply latency. */
class StreamFidelityIT extends WithPgPair {

    private static final Logger LOG = LoggerFactory.getLogger(StreamFidelityIT.class);
    private static final Duration WAIT = Duration.ofSeconds(30);

    private Replicator start(ReplicatorConfig config, Recorder recorder) {
        Replicator r = new Replicator(config, pg.targetPool, recorder);
        r.start();
        await().atMost(WAIT).until(() -> r.status().state() == State.STREAMING);
        return r;
    }

    private static final String TYPES_TABLE = """
            CREATE TABLE public.all_types (
              id bigint PRIMARY KEY, t text, i integer, b boolean, raw bytea, ts timestamptz,
              num numeric(14,4), d date, tm time, iv interval, js json, jb jsonb, u uuid, tags text[], plain_ts timestamp,
              small smallint, dbl double precision, vc varchar(20))""";

    private static final String ROW_1 = "(1, 'héllo ''quoted'' \\ back', 2147483647, true, '\\x00ff10'::bytea,"
            + " '2024-02-29 23:59:59.123456+05:30', 12345678.9012, '2024-02-29', '13:14:15.123456', '1 year 2 mons 3 days 04:05:06.789',"
            + " '{\"a\": [1, 2.50, null], \"b\": \"x\"}', '{\"z\": 1, \"a\": {\"n\": null}}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',"
            + " ARRAY['x', 'with space', 'q\"uote', NULL, 'back\\slash', '{brace}'], '1999-12-31 23:59:59.999999', -32768, 1.5e300, 'vc')";
    private static final String ROW_2 = "(2, '', -2147483648, false, ''::bytea, '1970-01-01 00:00:00+00', -0.0001, '0001-01-01', '00:00:00',"
            + " '-1 days -00:00:01', '[]', 'null', '00000000-0000-0000-0000-000000000000', '{}', '2038-01-19 03:14:08', 0, 'NaN', '')";
    private static final String ROW_3 = "(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)";

    @Test
    void everyTypeOfTheNodeSchemaRoundTripsValueForValue() throws Exception {
        pg.both(TYPES_TABLE);
        exec(pg.source, "INSERT INTO all_types VALUES " + ROW_1); // copied by the snapshot
        try (Replicator r = start(pg.config("fid_types", dataDir, "public.all_types"), new Recorder())) {
            exec(pg.source, "INSERT INTO all_types VALUES " + ROW_2 + ", " + ROW_3); // streamed
            exec(pg.source, "INSERT INTO all_types SELECT id + 10, t, i, b, raw, ts, num, d, tm, iv, js, jb, u, tags, plain_ts,"
                    + " small, dbl, vc FROM all_types WHERE id = 1");
            String query = "SELECT a::text FROM all_types a ORDER BY id";
            await().atMost(WAIT).until(() -> rows(pg.target, query).size() == 4);

            assertThat(rows(pg.target, query)).isEqualTo(rows(pg.source, query));
        }
    }

    @Test
    void anUnchangedToastValueIsNeverOverwritten() throws Exception {
        pg.both("CREATE TABLE public.docs (id bigint PRIMARY KEY, body text, counter integer)");
        // Random text does not compress, so it is stored out of line (TOAST) and not resent when unchanged.
        exec(pg.source, "INSERT INTO docs SELECT 1, string_agg(md5(g::text), ''), 0 FROM generate_series(1, 2000) g");
        try (Replicator r = start(pg.config("fid_toast", dataDir, "public.docs"), new Recorder())) {
            exec(pg.source, "UPDATE docs SET counter = 1 WHERE id = 1");
            String query = "SELECT counter || ':' || md5(body) FROM docs";
            await().atMost(WAIT).until(() -> rows(pg.target, query).equals(List.of("1:" + md5OfSourceBody())));
        }
    }

    private static String md5OfSourceBody() throws Exception {
        return rows(pg.source, "SELECT md5(body) FROM docs").get(0);
    }

    @Test
    void commitPositionsFollowCommitOrderWhenTransactionsInterleave() throws Exception {
        pg.both("CREATE TABLE public.events (id bigint PRIMARY KEY, tx text)");
        Recorder recorder = new Recorder();
        try (Replicator r = start(pg.config("fid_order", dataDir, "public.events"), recorder);
             Connection first = pg.source.getPostgresDatabase().getConnection();
             Connection second = pg.source.getPostgresDatabase().getConnection()) {
            recorder.clear(); // only the streamed transactions below
            first.setAutoCommit(false);
            second.setAutoCommit(false);
            try (Statement a = first.createStatement(); Statement b = second.createStatement()) {
                a.execute("INSERT INTO events VALUES (1, 'first')");   // first writes WAL first ...
                b.execute("INSERT INTO events VALUES (2, 'second')");
                a.execute("INSERT INTO events VALUES (3, 'first')");
                second.commit();                                            // ... but commits second
                b.execute("INSERT INTO events VALUES (4, 'second-2')");
                second.commit();
                a.execute("INSERT INTO events VALUES (5, 'first')");
                first.commit();
            }
            long sourceLsn = Lsn.parse(rows(pg.source, "SELECT pg_current_wal_lsn()::text").get(0));
            await().atMost(WAIT).until(() -> rows(pg.target, "SELECT count(*) FROM events").equals(List.of("5")));

            List<Long> positions = recorder.positions();
            LOG.info("commit positions: {}", positions.stream().map(Lsn::format).toList());
            assertThat(positions).hasSize(3).doesNotHaveDuplicates().isSorted();
            assertThat(positions.get(2)).isLessThanOrEqualTo(sourceLsn);
            assertThat(Replicator.appliedState(pg.targetPool, "a@1")).get()
                    .extracting(AppliedState::commitPosition)
                    .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LONG).isBetween(positions.get(2), PgPair.walPosition(pg.source));
        }
    }

    @Test
    void measuresCommitToApplyLatency() throws Exception {
        pg.both("CREATE TABLE public.pings (id bigint PRIMARY KEY, at timestamptz DEFAULT now())");
        Recorder recorder = new Recorder();
        List<Double> millis = new ArrayList<>();
        List<Long> lags = new ArrayList<>();
        try (Replicator r = start(pg.config("fid_latency", dataDir, "public.pings"), recorder);
             Connection c = pg.source.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            recorder.clear();
            for (int i = 1; i <= 200; i++) {
                st.execute("INSERT INTO pings (id) VALUES (" + i + ")");
                long committed = System.nanoTime();
                Recorder.Applied applied = recorder.queue.poll(10, TimeUnit.SECONDS);
                assertThat(applied).as("transaction %d applied", i).isNotNull();
                millis.add(Math.max(0, applied.atNanos() - committed) / 1e6);
                lags.add(applied.lagMs());
            }
        }
        Collections.sort(millis);
        Collections.sort(lags);
        LOG.info("commit->apply latency over 200 single-row commits: median {} ms, p90 {} ms, p99 {} ms, max {} ms;"
                        + " reported lagMs median {}, max {}",
                String.format("%.1f", millis.get(100)), String.format("%.1f", millis.get(180)), String.format("%.1f", millis.get(198)),
                String.format("%.1f", millis.get(199)), lags.get(100), lags.get(199));
    }

    @Test
    void updatesAndDeletesOfEveryTypeStreamValueForValue() throws Exception {
        pg.both(TYPES_TABLE.replace("all_types", "all_types_ud"));
        try (Replicator r = start(pg.config("fid_types_ud", dataDir, "public.all_types_ud"), new Recorder())) {
            exec(pg.source, "INSERT INTO all_types_ud VALUES " + ROW_1 + ", " + ROW_2 + ", " + ROW_3);
            // One transaction: every column of row 1 takes row 2's values and back, row 3 takes row 1's, row 2 goes.
            exec(pg.source, "BEGIN; UPDATE all_types_ud d SET (t, i, b, raw, ts, num, d, tm, iv, js, jb, u, tags, plain_ts, small, dbl, vc)"
                    + " = (SELECT t, i, b, raw, ts, num, d, tm, iv, js, jb, u, tags, plain_ts, small, dbl, vc FROM all_types_ud WHERE id = 1)"
                    + " WHERE id = 3; DELETE FROM all_types_ud WHERE id = 2; UPDATE all_types_ud SET t = t || '!', num = num * 2,"
                    + " tags = tags || ARRAY['more'], jb = jb || '{\"k\": true}' WHERE id = 1; COMMIT");
            String query = "SELECT a::text FROM all_types_ud a ORDER BY id";
            await().atMost(WAIT).until(() -> rows(pg.target, query).equals(rows(pg.source, query)));
            assertThat(rows(pg.target, query)).hasSize(2);
        }
    }

    /** Full-text search vectors (MediaWiki keeps one per page title), with positions and weights, copied and streamed. */
    @Test
    void aTextSearchVectorRoundTripsValueForValue() throws Exception {
        pg.both("CREATE TABLE public.search (id bigint PRIMARY KEY, v tsvector)");
        exec(pg.source, "INSERT INTO search VALUES (1, to_tsvector('english', 'The fat cats sat on the mat'))");
        try (Replicator r = start(pg.config("fid_tsvector", dataDir, "public.search"), new Recorder())) {
            exec(pg.source, "INSERT INTO search VALUES (2, 'a:1A fat:2B,4C cat:5D ''it''''s'':3 ''with space'''), (3, ''), (4, NULL);"
                    + " UPDATE search SET v = v || to_tsvector('simple', 'more words') WHERE id = 1");
            String query = "SELECT id || ' ' || coalesce(v::text, 'null') FROM search ORDER BY id";
            await().atMost(WAIT).until(() -> rows(pg.target, query).equals(rows(pg.source, query)));
            assertThat(r.status().state()).isEqualTo(State.STREAMING);
        }
    }

    /**
     * Infinities, years before Christ and past 9999, and 9999-12-31 (once written as a day in 1816, as every timestamp
     * outside 1677-2262 was), copied and streamed. A {@code date} before Christ is streamed exactly but not copied: the
     * connector reads the copy's dates through {@code java.sql.Date}, which drops the era (see the README).
     */
    @ParameterizedTest
    @ValueSource(strings = {"timestamptz", "timestamp", "date"})
    void dateAndTimeValuesAtTheEdgesRoundTripValueForValue(String type) throws Exception {
        String table = "edges_" + type;
        pg.both("CREATE TABLE public." + table + " (id bigint PRIMARY KEY, v " + type + ")");
        String rows = "(%d, 'infinity'), (%d, '-infinity'), (%d, '12345-06-07 08:09:10.000001+00'),"
                + " (%d, '9999-12-31 23:59:59.999999+00'), (%d, '2024-02-29 23:59:59.999999+00')";
        String beforeChrist = ", (%d, '0044-03-15 12:00:00.5+00 BC'), (%d, '4713-01-01 00:00:00+00 BC')";
        boolean copiesEra = !type.equals("date");
        exec(pg.source, "INSERT INTO " + table + " VALUES " + rows.formatted(1, 2, 3, 4, 5)
                + (copiesEra ? beforeChrist.formatted(6, 7) : "")); // copied by the snapshot
        try (Replicator r = start(pg.config("fid_" + table, dataDir, "public." + table), new Recorder())) {
            exec(pg.source, "INSERT INTO " + table + " VALUES " + rows.formatted(11, 12, 13, 14, 15) + beforeChrist.formatted(16, 17));
            String query = "SELECT id || ' ' || v::text FROM " + table + " ORDER BY id";
            int expected = copiesEra ? 14 : 12;
            await().atMost(WAIT).until(() -> rows(pg.target, query).size() == expected || r.status().state() == State.FAILED);
            assertThat(rows(pg.target, query)).isEqualTo(rows(pg.source, query)).hasSize(expected);
        }
    }

    @Test
    void aTruncateOfTablesReferencingEachOtherIsAppliedTogether() throws Exception {
        pg.both("CREATE TABLE public.parents (id bigint PRIMARY KEY)");
        pg.both("CREATE TABLE public.children (id bigint PRIMARY KEY, parent bigint REFERENCES parents (id))");
        exec(pg.source, "INSERT INTO parents VALUES (1), (2); INSERT INTO children VALUES (10, 1), (20, 2)");
        try (Replicator r = start(pg.config("fid_trunc", dataDir, "public.parents", "public.children"), new Recorder())) {
            exec(pg.source, "BEGIN; TRUNCATE parents, children; INSERT INTO parents VALUES (3); INSERT INTO children VALUES (30, 3); COMMIT");
            await().atMost(WAIT).until(() -> rows(pg.target, "SELECT id::text FROM children ORDER BY id").equals(List.of("30")));
            assertThat(rows(pg.target, "SELECT id::text FROM parents ORDER BY id")).containsExactly("3");
            assertThat(r.status().state()).isEqualTo(State.STREAMING);
        }
    }

    @Test
    void anIdleStreamStillLetsTheSourceRecycleWalWhileOtherTablesChange() throws Exception {
        pg.both("CREATE TABLE public.quiet (id bigint PRIMARY KEY)");
        exec(pg.source, "CREATE TABLE public.busy (id bigint PRIMARY KEY, pad text)"); // not replicated
        try (Replicator r = start(pg.config("fid_idle", dataDir, "public.quiet"), new Recorder())) {
            exec(pg.source, "INSERT INTO busy SELECT g, repeat('x', 500) FROM generate_series(1, 20000) g");
            long after = Lsn.parse(rows(pg.source, "SELECT pg_current_wal_lsn()::text").get(0));
            String flushed = "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = 'fid_idle'";
            // Heartbeats move the slot past WAL that holds nothing for this stream, so it is not retained forever.
            await().atMost(WAIT).until(() -> Lsn.parse(rows(pg.source, flushed).get(0)) >= after);
        }
    }
}
