package io.understudy.replicator;

import static io.understudy.replicator.PgPair.count;
import static io.understudy.replicator.PgPair.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import io.understudy.replicator.scope.ReplicationScope;
import org.junit.jupiter.api.Test;

class ReplicatorIT extends WithPgPair {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static void itemsTable(String name) throws Exception {
        pg.both("CREATE TABLE public." + name + " (id bigint PRIMARY KEY, name text, qty integer)");
    }

    private Replicator start(ReplicatorConfig config, Recorder recorder) {
        Replicator r = new Replicator(config, pg.targetPool, recorder);
        r.start();
        await().atMost(WAIT).until(() -> r.status().state() == State.STREAMING);
        return r;
    }

    @Test
    void snapshotsExistingRowsThenStreamsInsertUpdateDeleteAndTruncate() throws Exception {
        itemsTable("items_crud");
        exec(pg.source, "INSERT INTO items_crud VALUES (1,'a',1),(2,'b',2),(3,'c',3)");
        exec(pg.target, "INSERT INTO items_crud VALUES (99,'stale',0)"); // a fresh sync must clear this
        Recorder recorder = new Recorder();

        try (Replicator r = start(pg.config("it_crud", dataDir, "public.items_crud"), recorder)) {
            assertThat(PgPair.rows(pg.target, "SELECT id||':'||name FROM items_crud ORDER BY id")).containsExactly("1:a", "2:b", "3:c");
            assertThat(r.status().snapshotComplete()).isTrue();
            assertThat(r.status().snapshotRows()).isEqualTo(3);
            assertThat(recorder.states()).containsSubsequence(State.SNAPSHOTTING, State.STREAMING);

            exec(pg.source, "INSERT INTO items_crud VALUES (4,'d',4)");
            exec(pg.source, "UPDATE items_crud SET name='B', qty=20 WHERE id=2");
            exec(pg.source, "DELETE FROM items_crud WHERE id=1");
            await().atMost(WAIT).until(() -> PgPair.rows(pg.target, "SELECT id||':'||name||':'||qty FROM items_crud ORDER BY id"),
                    rows -> rows.equals(List.of("2:B:20", "3:c:3", "4:d:4")));

            exec(pg.source, "TRUNCATE items_crud");
            exec(pg.source, "INSERT INTO items_crud VALUES (5,'e',5)");
            await().atMost(WAIT).until(() -> PgPair.rows(pg.target, "SELECT id||':'||name FROM items_crud ORDER BY id"),
                    rows -> rows.equals(List.of("5:e")));

            Optional<AppliedState> state = Replicator.appliedState(pg.targetPool, "a@1");
            assertThat(state).isPresent();
            assertThat(state.get().snapshotComplete()).isTrue();
            assertThat(state.get().commitPosition()).isBetween(r.status().appliedPosition(), PgPair.walPosition(pg.source));
        }
    }

    /** The lag describes now: once heartbeats pass the last transaction with nothing left to apply, it is 0. */
    @Test
    void anIdleCaughtUpStreamReportsNoLag() throws Exception {
        itemsTable("items_caught_up");
        ReplicatorConfig config = pg.config("it_caught_up", dataDir, "public.items_caught_up");
        try (Replicator r = start(config, new Recorder())) {
            assertThat(r.status().snapshotComplete()).isTrue();
        }
        exec(pg.source, "INSERT INTO items_caught_up VALUES (1, 'committed while no replicator ran', 1)"); // a lag of seconds
        long committed = PgPair.walPosition(pg.source);
        Recorder recorder = new Recorder();
        try (Replicator r = start(config, recorder)) {
            await().atMost(WAIT).until(() -> count(pg.target, "SELECT count(*) FROM items_caught_up") == 1);
            await().atMost(WAIT).until(() -> r.status().appliedPosition() > 0 && r.processedPosition() >= committed
                    && r.status().lagMs() == 0);

            assertThat(recorder.applied).as("the transaction's own lag").anyMatch(a -> a.lagMs() > 0);
        }
    }

    @Test
    void aMultiRowTransactionBecomesVisibleAllOrNothing() throws Exception {
        itemsTable("items_atomic");
        try (Replicator r = start(pg.config("it_atomic", dataDir, "public.items_atomic"), new Recorder())) {
            ConcurrentLinkedQueue<Long> seen = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            Thread reader = new Thread(() -> {
                try (Connection c = pg.target.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
                    while (!stop.get()) {
                        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM items_atomic")) {
                            rs.next();
                            seen.add(rs.getLong(1));
                        }
                    }
                } catch (Exception e) {
                    seen.add(-1L);
                }
            });
            reader.start();
            exec(pg.source, "INSERT INTO items_atomic SELECT g, 'row ' || g, g FROM generate_series(1, 500) g");
            await().atMost(WAIT).until(() -> seen.contains(500L));
            stop.set(true);
            reader.join();

            assertThat(seen).doesNotContain(-1L).allMatch(n -> n == 0 || n == 500);
            assertThat(seen).contains(0L, 500L);
        }
    }

    @Test
    void aRestartResumesFromTheStoredPositionWithoutReapplying() throws Exception {
        itemsTable("items_resume");
        exec(pg.source, "INSERT INTO items_resume VALUES (1,'a',1)");
        ReplicatorConfig config = pg.config("it_resume", dataDir, "public.items_resume");
        long stopped;
        try (Replicator r = start(config, new Recorder())) {
            exec(pg.source, "INSERT INTO items_resume VALUES (2,'b',2)");
            exec(pg.source, "UPDATE items_resume SET qty = qty + 10");
            await().atMost(WAIT).until(() -> count(pg.target, "SELECT sum(qty) FROM items_resume") == 23);
            stopped = r.status().appliedPosition();
        }
        assertThat(Replicator.appliedState(pg.targetPool, "a@1")).get().extracting(AppliedState::commitPosition)
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LONG).isBetween(stopped, PgPair.walPosition(pg.source));

        exec(pg.source, "INSERT INTO items_resume VALUES (3,'c',3)"); // committed while the secondary is away
        exec(pg.target, "INSERT INTO items_resume VALUES (77,'local',0)"); // survives only if there is no re-sync
        Recorder recorder = new Recorder();
        try (Replicator r = new Replicator(config, pg.targetPool, recorder)) {
            r.start();
            await().atMost(WAIT).until(() -> count(pg.target, "SELECT count(*) FROM items_resume WHERE id = 3") == 1);
            exec(pg.source, "INSERT INTO items_resume VALUES (4,'d',4)");
            await().atMost(WAIT).until(() -> count(pg.target, "SELECT count(*) FROM items_resume WHERE id = 4") == 1);

            assertThat(recorder.states()).doesNotContain(State.SNAPSHOTTING);
            assertThat(PgPair.rows(pg.target, "SELECT id||':'||qty FROM items_resume ORDER BY id"))
                    .containsExactly("1:11", "2:12", "3:3", "4:4", "77:0");
            assertThat(recorder.positions()).isNotEmpty().allMatch(p -> p > stopped).isSorted();
            assertThat(r.status().snapshotRows()).isZero();
        }
    }

    @Test
    void drainReturnsOnceEverythingCommittedBeforeItIsApplied() throws Exception {
        Replicator r = startWithItems("drain", 50);
        long position = r.drain(Duration.ofSeconds(20));

        assertThat(count(pg.target, "SELECT count(*) FROM items_drain")).isEqualTo(50);
        assertThat(r.status().state()).isEqualTo(State.DRAINED);
        assertThat(Replicator.appliedState(pg.targetPool, "a@1")).get().extracting(AppliedState::commitPosition)
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LONG).isBetween(position, PgPair.walPosition(pg.source));
        r.close(); // idempotent
        assertThat(r.status().state()).isEqualTo(State.DRAINED);
    }

    @Test
    void aSealedDrainAppliesNothingMoreAndItsEngineStopsInTheBackground() throws Exception {
        Replicator r = startWithItems("seal", 20);
        Replicator.Drain drain = r.drainAndSeal(Duration.ofSeconds(20));
        assertThat(drain.complete()).isTrue();
        assertThat(r.status().state()).isEqualTo(State.DRAINED);
        // Committed while the engine is still stopping, so the stream delivers some of them.
        for (int i = 21; !drain.stopped().isDone() || i <= 25; i++) {
            exec(pg.source, "INSERT INTO items_seal VALUES (" + i + ", 'late', " + i + ")");
        }

        drain.stopped().get(60, java.util.concurrent.TimeUnit.SECONDS);

        assertThat(count(pg.target, "SELECT count(*) FROM items_seal")).isEqualTo(20);
        assertThat(r.status().appliedPosition()).isEqualTo(drain.appliedPosition());
        await().atMost(WAIT).until(() -> PgPair.rows(pg.source, "SELECT active::text FROM pg_replication_slots"
                + " WHERE slot_name = 'it_seal'"), rows -> rows.equals(List.of("false")));
        // Nothing the seal refused was acknowledged: a stream resumed from the target's state row finds the slot behind it.
        long confirmed = Long.parseLong(PgPair.rows(pg.source, "SELECT confirmed_flush_lsn - '0/0'::pg_lsn"
                + " FROM pg_replication_slots WHERE slot_name = 'it_seal'").get(0));
        assertThat(Replicator.appliedState(pg.targetPool, "a@1")).get().extracting(AppliedState::commitPosition)
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LONG).isGreaterThanOrEqualTo(confirmed);
        assertThat(r.status().state()).isEqualTo(State.DRAINED);
    }

    /** A stream {@code it_<name>} of table {@code items_<name>}, which already holds rows 1 to {@code rows}. */
    private Replicator startWithItems(String name, int rows) throws Exception {
        itemsTable("items_" + name);
        Replicator r = start(pg.config("it_" + name, dataDir, "public.items_" + name), new Recorder());
        for (int i = 1; i <= rows; i++) {
            exec(pg.source, "INSERT INTO items_" + name + " VALUES (" + i + ", 'x', " + i + ")");
        }
        return r;
    }

    @Test
    void aStreamKeepsAConnectionForItsDrainAndADrainWhoseConnectionWasCutOpensAnother() throws Exception {
        itemsTable("items_line");
        String kept = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'understudy-replicator-admin'"
                + " AND state = 'idle'";
        Replicator r = start(pg.config("it_line", dataDir, "public.items_line"), new Recorder());
        await().atMost(WAIT).until(() -> count(pg.source, kept) == 1);
        exec(pg.source, "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
                + " WHERE application_name = 'understudy-replicator-admin' AND state = 'idle'");
        for (int i = 1; i <= 10; i++) {
            exec(pg.source, "INSERT INTO items_line VALUES (" + i + ", 'x', " + i + ")");
        }

        r.drain(Duration.ofSeconds(20));

        assertThat(r.status().state()).isEqualTo(State.DRAINED);
        assertThat(count(pg.target, "SELECT count(*) FROM items_line")).isEqualTo(10);
        assertThat(count(pg.source, kept)).isZero();
    }

    @Test
    void drainOfAnIdleSourceCompletesWithoutWaitingForTheTimeout() throws Exception {
        itemsTable("items_idle");
        Replicator r = start(pg.config("it_idle", dataDir, "public.items_idle"), new Recorder());
        exec(pg.source, "CREATE TABLE not_replicated (v int)"); // WAL the stream never shows
        exec(pg.source, "INSERT INTO not_replicated VALUES (1)");

        r.drain(Duration.ofSeconds(60));

        assertThat(r.status().state()).isEqualTo(State.DRAINED);
    }

    @Test
    void aTableWithoutPrimaryKeyIsReplicatedWithAFullReplicaIdentityOneRowAtATime() throws Exception {
        pg.both("CREATE TABLE public.no_pk (v text, n int)");
        exec(pg.source, "INSERT INTO no_pk VALUES ('twin', 1), ('twin', 1), ('solo', 2)");
        try (Replicator r = start(pg.config("it_nopk", dataDir, "public.no_pk"), new Recorder())) {
            assertThat(PgPair.rows(pg.source, "SELECT relreplident::text FROM pg_class WHERE relname = 'no_pk'")).containsExactly("f");
            exec(pg.source, "UPDATE no_pk SET n = 3 WHERE ctid = (SELECT ctid FROM no_pk WHERE v = 'twin' LIMIT 1)");
            exec(pg.source, "DELETE FROM no_pk WHERE v = 'solo'");
            exec(pg.source, "INSERT INTO no_pk VALUES ('new', 4)");

            await().atMost(WAIT).until(() -> PgPair.rows(pg.target, "SELECT v || ':' || n FROM no_pk ORDER BY v, n"),
                    rows -> rows.equals(List.of("new:4", "twin:1", "twin:3")));
            assertThat(r.status().state()).isEqualTo(State.STREAMING);
        }
    }

    @Test
    void aTableWithoutPrimaryKeyIsRefusedByNameWhenConfiguredSo() throws Exception {
        pg.both("CREATE TABLE public.no_pk_refused (v text)");
        exec(pg.source, "INSERT INTO no_pk_refused VALUES ('x')");
        ReplicationScope refuse = new ReplicationScope(List.of(io.understudy.replicator.apply.TableName.parse("public.no_pk_refused")),
                List.of(), List.of(), ReplicationScope.NoPrimaryKey.REFUSE);
        Recorder recorder = new Recorder();
        try (Replicator r = new Replicator(pg.config("it_nopk_refused", dataDir, refuse), pg.targetPool, recorder)) {
            r.start();
            await().atMost(WAIT).until(() -> r.status().state() == State.FAILED);

            assertThat(r.status().error()).contains("public.no_pk_refused has no primary key").contains("replication.noPrimaryKey");
            assertThat(count(pg.target, "SELECT count(*) FROM no_pk_refused")).isZero();
            // never published, so the application's UPDATE and DELETE still work on the primary
            assertThat(count(pg.source, "SELECT count(*) FROM pg_publication_tables WHERE tablename = 'no_pk_refused'")).isZero();
            exec(pg.source, "UPDATE no_pk_refused SET v = 'y'");
            exec(pg.source, "DELETE FROM no_pk_refused");
        }
    }
}
