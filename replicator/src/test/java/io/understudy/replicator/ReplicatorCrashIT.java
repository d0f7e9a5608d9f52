package io.understudy.replicator;

import static io.understudy.replicator.PgPair.count;
import static io.understudy.replicator.PgPair.exec;
import static io.understudy.replicator.PgPair.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a replicator process in the middle of a stream of multi-statement transactions, twice, while the source
 * keeps committing: afterwards the target equals the source, and an audit trigger on the target (enabled even for
 * replica sessions) shows every row version applied exactly once: nothing lost, nothing applied twice.
 */
class ReplicatorCrashIT {

    private static final Duration WAIT = Duration.ofMinutes(3); // generous: CI machines are shared; not a speed check
    private static final int ITEMS = 20;
    private static final int MAX_TRANSACTIONS = 200_000; // bounds the writer; the test stops it much earlier
    private static final String NAME = "it_crash";
    private static PgPair pg;

    @TempDir
    Path dataDir;

    private final List<Process> processes = new ArrayList<>();

    @BeforeAll
    static void startDatabases() throws Exception {
        pg = new PgPair();
        pg.both("CREATE TABLE public.crash_items (id int PRIMARY KEY, version bigint NOT NULL, note text)");
        pg.both("CREATE TABLE public.crash_ledger (id bigint PRIMARY KEY, item int NOT NULL, version bigint NOT NULL)");
        exec(pg.target, "CREATE TABLE apply_audit (tbl text NOT NULL, id bigint NOT NULL, version bigint NOT NULL)");
        exec(pg.target, """
                CREATE FUNCTION audit_apply() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  INSERT INTO apply_audit VALUES (TG_TABLE_NAME, NEW.id, NEW.version);
                  RETURN NULL;
                END $$""");
        for (String table : List.of("crash_items", "crash_ledger")) {
            exec(pg.target, "CREATE TRIGGER audit AFTER INSERT OR UPDATE ON " + table + " FOR EACH ROW EXECUTE FUNCTION audit_apply()");
            exec(pg.target, "ALTER TABLE " + table + " ENABLE ALWAYS TRIGGER audit"); // fires in replica sessions too
        }
        exec(pg.source, "INSERT INTO crash_items SELECT g, 0, 'seed' FROM generate_series(0, " + (ITEMS - 1) + ") g");
        pg.config(NAME, Path.of("unused"), "public.crash_items"); // registers the slot for dropping at the end
    }

    @AfterAll
    static void stopDatabases() throws Exception {
        pg.close();
    }

    @AfterEach
    void killChildren() {
        processes.forEach(Process::destroyForcibly);
    }

    private Process startReplicatorProcess() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                ReplicatorProcess.class.getName(), NAME, Integer.toString(pg.source.getPort()), Integer.toString(pg.target.getPort()),
                dataDir.toString(), "public.crash_items", "public.crash_ledger");
        pb.redirectErrorStream(true);
        File log = new File("target/replicator-crash-it.log"); // kept after the run, for diagnosis
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log));
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    private static void kill9(Process p) throws InterruptedException {
        p.destroyForcibly(); // SIGKILL: no shutdown hook, no engine close, no offset flush
        p.waitFor();
    }

    @Test
    void killNineMidStreamLosesNothingAndAppliesNothingTwice() throws Exception {
        Process first = startReplicatorProcess();
        await().atMost(WAIT).until(() -> count(pg.target, "SELECT count(*) FROM crash_items") == ITEMS);

        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong committed = new AtomicLong();
        AtomicReference<Throwable> writerError = new AtomicReference<>();
        Thread writer = new Thread(() -> write(stop, committed, writerError), "crash-writer");
        writer.start();
        try {
            await().atMost(WAIT).until(() -> count(pg.target, "SELECT count(*) FROM crash_ledger") >= 200);
            kill9(first);
            long atKill = committed.get();
            await().atMost(WAIT).until(() -> committed.get() >= atKill + 100); // the source moves on while no one applies

            Process second = startReplicatorProcess();
            long beforeSecondKill = count(pg.target, "SELECT count(*) FROM crash_ledger");
            await().atMost(WAIT).until(() -> count(pg.target, "SELECT count(*) FROM crash_ledger") >= beforeSecondKill + 200);
            kill9(second);

            startReplicatorProcess();
            long atThirdStart = committed.get();
            await().atMost(WAIT).until(() -> committed.get() >= atThirdStart + 300);
        } finally {
            stop.set(true);
            writer.join();
        }
        assertThat(writerError.get()).isNull();
        long transactions = committed.get();
        assertThat(transactions).isLessThan(MAX_TRANSACTIONS);

        String items = "SELECT id||':'||version||':'||note FROM crash_items ORDER BY id";
        String ledger = "SELECT id||':'||item||':'||version FROM crash_ledger ORDER BY id";
        try {
            await().atMost(Duration.ofMinutes(3)).until(() -> rows(pg.target, ledger).equals(rows(pg.source, ledger)));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("target has " + count(pg.target, "SELECT count(*) FROM crash_ledger") + " of " + transactions
                    + " ledger rows, max id " + count(pg.target, "SELECT coalesce(max(id), 0) FROM crash_ledger") + "; state "
                    + rows(pg.target, "SELECT commit_position::text FROM understudy_replica_state"), e);
        }
        assertThat(rows(pg.target, items)).isEqualTo(rows(pg.source, items));

        assertThat(rows(pg.target, "SELECT tbl||':'||id||':'||version||' x'||count(*) FROM apply_audit GROUP BY tbl, id, version"
                + " HAVING count(*) <> 1")).as("row versions applied more than once").isEmpty();
        // Every version of every item from the snapshot (0) to its last was applied: none skipped, none twice.
        assertThat(count(pg.target, "SELECT count(*) FROM apply_audit WHERE tbl = 'crash_items'"))
                .isEqualTo(count(pg.source, "SELECT sum(version + 1) FROM crash_items"));
        assertThat(count(pg.target, "SELECT count(*) FROM apply_audit WHERE tbl = 'crash_ledger'")).isEqualTo(transactions);
    }

    /** One transaction per iteration: bump one item's version and record it in the ledger. */
    private static void write(AtomicBoolean stop, AtomicLong committed, AtomicReference<Throwable> error) {
        try (Connection c = pg.source.getPostgresDatabase().getConnection();
             PreparedStatement bump = c.prepareStatement("UPDATE crash_items SET version = version + 1, note = ? WHERE id = ? RETURNING version");
             PreparedStatement log = c.prepareStatement("INSERT INTO crash_ledger VALUES (?, ?, ?)")) {
            c.setAutoCommit(false);
            long start = System.nanoTime();
            for (int i = 1; i <= MAX_TRANSACTIONS && !stop.get(); i++) {
                // A steady 500 tx/s: enough to be mid-stream at every kill, bounded backlog on a shared CI machine.
                long due = start + i * 2_000_000L;
                java.util.concurrent.locks.LockSupport.parkNanos(due - System.nanoTime());
                int item = (i * 7) % ITEMS;
                bump.setString(1, "tx " + i);
                bump.setInt(2, item);
                long version;
                try (ResultSet rs = bump.executeQuery()) {
                    rs.next();
                    version = rs.getLong(1);
                }
                log.setLong(1, i);
                log.setInt(2, item);
                log.setLong(3, version);
                log.executeUpdate();
                c.commit();
                committed.set(i);
            }
        } catch (Throwable t) {
            error.set(t);
        }
    }
}
