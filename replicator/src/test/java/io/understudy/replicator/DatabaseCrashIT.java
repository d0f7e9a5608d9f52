package io.understudy.replicator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * kill -9 of the source's PostgreSQL (the primary's database) or of the target's (the secondary's own), in the middle
 * of a steady stream of multi-statement transactions, then a restart on the same data and port (crash recovery):
 * the replicator reconnects by itself (STARTING, then STREAMING again, never FAILED), and the target converges to
 * exactly the source's rows, with an audit trigger on the target proving every row version applied exactly once:
 * a transaction half received or half applied when the server died is discarded and applied whole later.
 */
class DatabaseCrashIT {

    private static final Duration WAIT = Duration.ofMinutes(3); // generous: CI machines are shared; not a speed check
    private static final int ITEMS = 20;

    @TempDir
    static Path dir;
    private static CrashablePostgres source;
    private static CrashablePostgres target;
    private static HikariDataSource targetPool;

    @BeforeAll
    static void startDatabases() throws Exception {
        source = new CrashablePostgres(dir.resolve("source"));
        target = new CrashablePostgres(dir.resolve("target"));
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(target.jdbcUrl());
        hc.setUsername("postgres");
        hc.setMaximumPoolSize(4);
        hc.setConnectionTimeout(3000);
        targetPool = new HikariDataSource(hc);
        exec(target, "CREATE TABLE apply_audit (tbl text NOT NULL, id bigint NOT NULL, version bigint NOT NULL)");
        exec(target, """
                CREATE FUNCTION audit_apply() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  INSERT INTO apply_audit VALUES (TG_TABLE_NAME, NEW.id, NEW.version);
                  RETURN NULL;
                END $$""");
    }

    @AfterAll
    static void stopDatabases() throws Exception {
        if (targetPool != null) {
            targetPool.close();
        }
        if (source != null) {
            source.close();
        }
        if (target != null) {
            target.close();
        }
    }

    @Test
    void aCrashOfTheSourceDatabaseIsSurvived() throws Exception {
        crashMidStream("src", source);
    }

    @Test
    void aCrashOfTheTargetDatabaseIsSurvived() throws Exception {
        crashMidStream("tgt", target);
    }

    /**
     * kill -9 of the target's PostgreSQL while the replicator works off a backlog. Full batches are committed without
     * waiting for their WAL flush, and the target's WAL writer is stopped meanwhile, so the crash certainly loses
     * commits the target had already made visible. None of them may have been acknowledged to the source's slot: the
     * stream resumes from the target's recovered state row (no fresh copy), and every row version is applied exactly
     * once.
     */
    @Test
    void aCrashOfTheTargetDatabaseWhileCatchingUpLosesNothingAndRepeatsNothing() throws Exception {
        String ledger = "backlog_ledger";
        exec(source, "CREATE TABLE " + ledger + " (id bigint PRIMARY KEY, item int NOT NULL, version bigint NOT NULL, pad text)");
        exec(target, "CREATE TABLE " + ledger + " (id bigint PRIMARY KEY, item int NOT NULL, version bigint NOT NULL, pad text)");
        exec(target, "CREATE TRIGGER audit AFTER INSERT OR UPDATE ON " + ledger + " FOR EACH ROW EXECUTE FUNCTION audit_apply()");
        exec(target, "ALTER TABLE " + ledger + " ENABLE ALWAYS TRIGGER audit");
        // The apply takes 2 ms a row, so the decoder stays ahead of it and the engine's queue holds more work until the
        // end: every group but the last is then committed without waiting for its flush. With the apply as fast as
        // the decoder, a decoder short of CPU let the queue run dry again and again, each dry spell ended in a
        // flushed commit, and the unflushed WAL this test crashes into never built up.
        exec(target, "CREATE FUNCTION slow_apply() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.002);"
                + " RETURN NEW; END $$");
        exec(target, "CREATE TRIGGER slow BEFORE INSERT ON " + ledger + " FOR EACH ROW EXECUTE FUNCTION slow_apply()");
        exec(target, "ALTER TABLE " + ledger + " ENABLE ALWAYS TRIGGER slow");
        Recorder recorder = new Recorder();
        ReplicatorConfig config = new ReplicatorConfig("it_backlog_crash", "backlog@1", "127.0.0.1", source.port(), "postgres",
                "postgres", "", List.of("public." + ledger), dir.resolve("backlog-offsets"), 10, 200);
        try (Replicator r = new Replicator(config, targetPool, recorder)) {
            r.start();
            await().atMost(WAIT).until(() -> r.status().state() == State.STREAMING);
        }
        // The backlog: written while no replicator runs, so the next one starts far behind and receives full batches.
        int transactions = 6000;
        try (Connection c = source.server().getPostgresDatabase().getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO " + ledger + " VALUES (?, ?, 1, ?)")) {
            c.setAutoCommit(false);
            for (int t = 0; t < transactions; t++) {
                for (int k = 0; k < 4; k++) {
                    ps.setLong(1, t * 4L + k);
                    ps.setInt(2, t);
                    ps.setString(3, "x".repeat(100));
                    ps.addBatch();
                }
                ps.executeBatch();
                c.commit();
            }
        }
        long walWriter = scalar(target, "SELECT pid FROM pg_stat_activity WHERE backend_type = 'walwriter'");
        signal("STOP", walWriter); // the crash below kills it too
        try (Replicator r = new Replicator(config, targetPool, recorder)) {
            r.start();
            // Half way through, with a megabyte of the target's WAL written by visible commits and not flushed: long
            // enough for the engine's offset commits (every second) to have run meanwhile.
            await().atMost(WAIT).until(() -> count(target, ledger) >= transactions * 2L
                    && scalar(target, "SELECT pg_current_wal_insert_lsn() - pg_current_wal_flush_lsn()") > 1 << 20);
            target.crash();
            target.start();
            await().atMost(WAIT).until(() -> r.status().state().isTerminal() || count(target, ledger) == transactions * 4L);
            assertThat(r.status().state()).as("state after the crash, error: " + r.status().error()).isEqualTo(State.STREAMING);
            assertThat(count(target, ledger)).isEqualTo(transactions * 4L);
            assertThat(rows(target, "SELECT id||':'||version||' x'||count(*) FROM apply_audit WHERE tbl = '" + ledger
                    + "' GROUP BY id, version HAVING count(*) <> 1")).as("row versions applied more than once").isEmpty();
            assertThat(count(target, "apply_audit WHERE tbl = '" + ledger + "'")).isEqualTo(transactions * 4L);
        }
    }

    private static void signal(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -" + signal + " " + pid).isZero();
    }

    /** A promotion drains the stream while the old primary's database is gone: the reconnect loop must not hold it up. */
    @Test
    void aDrainWhileTheSourceIsDownEndsDrainedWithoutWaitingForIt() throws Exception {
        exec(source, "CREATE TABLE down_items (id int PRIMARY KEY, v text)");
        exec(target, "CREATE TABLE down_items (id int PRIMARY KEY, v text)");
        Recorder recorder = new Recorder();
        ReplicatorConfig config = new ReplicatorConfig("it_down_drain", "down@1", "127.0.0.1", source.port(), "postgres",
                "postgres", "", List.of("public.down_items"), dir.resolve("down-offsets"), 10, 200);
        try (Replicator r = new Replicator(config, targetPool, recorder)) {
            r.start();
            await().atMost(WAIT).until(() -> r.status().state() == State.STREAMING);
            exec(source, "INSERT INTO down_items VALUES (1, 'before the crash')");
            await().atMost(WAIT).until(() -> count(target, "down_items") == 1);
            source.crash();
            try {
                await().atMost(WAIT).until(() -> r.status().state() == State.STARTING);
                long applied = r.drain(Duration.ofSeconds(60));

                assertThat(r.status().state()).isEqualTo(State.DRAINED);
                assertThat(applied).isPositive();
                assertThat(recorder.states()).doesNotContain(State.FAILED);
            } finally {
                source.start();
            }
        }
    }

    private void crashMidStream(String prefix, CrashablePostgres victim) throws Exception {
        String items = prefix + "_items";
        String ledger = prefix + "_ledger";
        for (CrashablePostgres pg : List.of(source, target)) {
            exec(pg, "CREATE TABLE " + items + " (id int PRIMARY KEY, version bigint NOT NULL, note text)");
            exec(pg, "CREATE TABLE " + ledger + " (id bigint PRIMARY KEY, item int NOT NULL, version bigint NOT NULL, pad text)");
        }
        for (String table : List.of(items, ledger)) {
            exec(target, "CREATE TRIGGER audit AFTER INSERT OR UPDATE ON " + table + " FOR EACH ROW EXECUTE FUNCTION audit_apply()");
            exec(target, "ALTER TABLE " + table + " ENABLE ALWAYS TRIGGER audit"); // fires in replica sessions too
        }
        exec(source, "INSERT INTO " + items + " SELECT g, 0, 'seed' FROM generate_series(0, " + (ITEMS - 1) + ") g");

        Recorder recorder = new Recorder();
        ReplicatorConfig config = new ReplicatorConfig("it_" + prefix + "_crash", prefix + "@1", "127.0.0.1", source.port(), "postgres",
                "postgres", "", List.of("public." + items, "public." + ledger), dir.resolve(prefix + "-offsets"), 10, 200);
        try (Replicator r = new Replicator(config, targetPool, recorder)) {
            r.start();
            await().atMost(WAIT).until(() -> r.status().state() == State.STREAMING && count(target, items) == ITEMS);

            Writer writer = new Writer(items, ledger);
            Thread thread = new Thread(writer, "crash-writer-" + prefix);
            thread.start();
            try {
                await().atMost(WAIT).until(() -> count(target, ledger) >= 300);
                victim.crash();
                long failuresBefore = writer.failures.get();
                if (victim == source) {
                    await().atMost(WAIT).until(() -> writer.failures.get() > failuresBefore); // the writer saw it die
                } else {
                    await().atMost(WAIT).until(() -> lastState(recorder) == State.STARTING || lastState(recorder) == State.FAILED);
                }
                victim.start();
                long atRestart = writer.committed.get();
                await().atMost(WAIT).until(() -> writer.committed.get() >= atRestart + 500);
                await().atMost(WAIT).until(() -> r.status().state() == State.STREAMING || r.status().state().isTerminal());
            } finally {
                writer.stop.set(true);
                thread.join();
            }
            assertThat(writer.error.get()).isNull();
            assertThat(r.status().state()).as("state after the crash, error: " + r.status().error()).isEqualTo(State.STREAMING);

            String itemRows = "SELECT id||':'||version||':'||note FROM " + items + " ORDER BY id";
            String ledgerRows = "SELECT id||':'||item||':'||version FROM " + ledger + " ORDER BY id";
            await().atMost(WAIT).until(() -> r.status().state().isTerminal() || rows(target, ledgerRows).equals(rows(source, ledgerRows)));
            assertThat(r.status().state()).as("state while catching up, error: " + r.status().error()).isEqualTo(State.STREAMING);
            assertThat(rows(target, ledgerRows)).isEqualTo(rows(source, ledgerRows));
            assertThat(rows(target, itemRows)).isEqualTo(rows(source, itemRows));
            assertThat(rows(target, "SELECT tbl||':'||id||':'||version||' x'||count(*) FROM apply_audit WHERE tbl IN ('" + items + "', '"
                    + ledger + "') GROUP BY tbl, id, version HAVING count(*) <> 1")).as("row versions applied more than once").isEmpty();
            assertThat(count(target, "apply_audit WHERE tbl = '" + items + "'"))
                    .isEqualTo(scalar(source, "SELECT sum(version + 1) FROM " + items));
            assertThat(count(target, "apply_audit WHERE tbl = '" + ledger + "'")).isEqualTo(count(source, ledger));

            List<State> states = recorder.states();
            assertThat(states).as("states seen").doesNotContain(State.FAILED);
            int firstStreaming = states.indexOf(State.STREAMING);
            assertThat(states.subList(firstStreaming, states.size())).as("reconnected after the crash, states seen " + states)
                    .containsSubsequence(State.STREAMING, State.STARTING, State.STREAMING);
            assertThat(r.status().state()).isEqualTo(State.STREAMING);
        }
    }

    private static State lastState(Recorder recorder) {
        List<State> states = recorder.states();
        return states.isEmpty() ? null : states.get(states.size() - 1);
    }

    /**
     * A steady 500 source transactions per second (bump one item's version, record it in the ledger with a few
     * padded rows, so that a crash very likely cuts a transaction in the stream), reconnecting while the source is
     * down. After a reconnect it resumes after the ledger's highest id: a commit whose answer was lost is not redone.
     */
    private static final class Writer implements Runnable {
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong committed = new AtomicLong();
        final AtomicLong failures = new AtomicLong();
        final AtomicReference<Throwable> error = new AtomicReference<>();
        private final String items;
        private final String ledger;

        Writer(String items, String ledger) {
            this.items = items;
            this.ledger = ledger;
        }

        @Override
        public void run() {
            try {
                while (!stop.get()) {
                    try {
                        writeUntilFailure();
                    } catch (SQLException e) {
                        failures.incrementAndGet();
                        LockSupport.parkNanos(Duration.ofMillis(50).toNanos()); // a load generator's pause, not synchronisation
                    }
                }
            } catch (Throwable t) {
                error.set(t);
            }
        }

        private void writeUntilFailure() throws SQLException {
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setUrl(source.jdbcUrl());
            ds.setUser("postgres");
            ds.setConnectTimeout(2);
            try (Connection c = ds.getConnection();
                 PreparedStatement bump = c.prepareStatement("UPDATE " + items + " SET version = version + 1, note = ? WHERE id = ? RETURNING version");
                 PreparedStatement log = c.prepareStatement("INSERT INTO " + ledger + " VALUES (?, ?, ?, ?)")) {
                long i;
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT coalesce(max(id), 0) FROM " + ledger)) {
                    rs.next();
                    i = rs.getLong(1) / 4 + 1;
                }
                committed.set(i - 1);
                c.setAutoCommit(false);
                long start = System.nanoTime();
                for (long n = 1; !stop.get(); n++, i++) {
                    LockSupport.parkNanos(start + n * 2_000_000L - System.nanoTime());
                    int item = (int) ((i * 7) % ITEMS);
                    bump.setString(1, "tx " + i);
                    bump.setInt(2, item);
                    long version;
                    try (ResultSet rs = bump.executeQuery()) {
                        rs.next();
                        version = rs.getLong(1);
                    }
                    for (int k = 1; k <= 4; k++) {
                        log.setLong(1, i * 4 + k - 4);
                        log.setInt(2, item);
                        log.setLong(3, version);
                        log.setString(4, "x".repeat(200));
                        log.executeUpdate();
                    }
                    c.commit();
                    committed.set(i);
                }
            }
        }
    }

    private static void exec(CrashablePostgres pg, String sql) throws SQLException {
        try (Connection c = pg.server().getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static long count(CrashablePostgres pg, String tableAndCondition) throws SQLException {
        return scalar(pg, "SELECT count(*) FROM " + tableAndCondition);
    }

    private static long scalar(CrashablePostgres pg, String sql) throws SQLException {
        try (Connection c = pg.server().getPostgresDatabase().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<String> rows(CrashablePostgres pg, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = pg.server().getPostgresDatabase().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
