package io.understudy.replicator;

import static io.understudy.replicator.PgPair.exec;
import static io.understudy.replicator.PgPair.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * A fresh sync of a diverged secondary while the source keeps committing: the copy ends equal to the source (the
 * diverged rows gone), and the status shows the snapshot's progress (tables done, rows, rate).
 */
class SnapshotUnderWritesIT extends WithPgPair {

    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final int ROWS = 30_000;

    @Test
    void aResyncUnderWritesEndsEqualToTheSourceAndShowsProgress() throws Exception {
        pg.both("CREATE TABLE public.snap_big (id bigint PRIMARY KEY, v bigint NOT NULL, pad text)");
        pg.both("CREATE TABLE public.snap_small (id bigint PRIMARY KEY, note text)");
        exec(pg.source, "INSERT INTO snap_big SELECT g, 0, md5(g::text) FROM generate_series(1, " + ROWS + ") g");
        exec(pg.source, "INSERT INTO snap_small SELECT g, 'n' FROM generate_series(1, 100) g");
        // The secondary diverged: a row the source never had, a row with other values.
        exec(pg.target, "INSERT INTO snap_big VALUES (999999, 1, 'diverged'), (1, 42, 'diverged')");

        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong writes = new AtomicLong();
        AtomicReference<Throwable> writerError = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try (Connection c = pg.source.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
                for (long i = 1; i <= 100_000 && !stop.get(); i++) {
                    st.execute("UPDATE snap_big SET v = v + 1 WHERE id = " + (i * 7919 % ROWS + 1));
                    st.execute(i % 2 == 0 ? "DELETE FROM snap_small WHERE id = " + (i / 2 % 100 + 1)
                            : "INSERT INTO snap_small VALUES (" + (1000 + i) + ", 'w') ON CONFLICT DO NOTHING");
                    writes.set(i);
                    LockSupport.parkNanos(2_000_000); // pacing the writer (~250 statements/s), not synchronisation
                }
            } catch (Throwable t) {
                writerError.set(t);
            }
        }, "snapshot-writer");
        writer.start();
        try (Replicator r = new Replicator(pg.config("snap_resync", dataDir, "public.snap_big", "public.snap_small"), pg.targetPool,
                new Recorder())) {
            await().atMost(WAIT).until(() -> writes.get() > 50);
            r.start();
            await().atMost(WAIT).until(() -> r.status().state() == State.STREAMING);
            ReplicationStatus.SnapshotProgress progress = r.status().snapshot();
            assertThat(progress.tablesTotal()).isEqualTo(2);
            assertThat(progress.tablesDone()).isEqualTo(2);
            assertThat(progress.rows()).isGreaterThanOrEqualTo(ROWS);
            assertThat(progress.rowsPerSecond()).isPositive();

            long atStreaming = writes.get();
            await().atMost(WAIT).until(() -> writes.get() > atStreaming + 200); // writes continue while streaming
            stop.set(true);
            writer.join();
            assertThat(writerError.get()).isNull();

            String big = "SELECT md5(string_agg(id || ':' || v || ':' || pad, ',' ORDER BY id)) FROM snap_big";
            String small = "SELECT md5(string_agg(id || ':' || note, ',' ORDER BY id)) FROM snap_small";
            await().atMost(WAIT).until(() -> rows(pg.target, big).equals(rows(pg.source, big))
                    && rows(pg.target, small).equals(rows(pg.source, small)));
            assertThat(rows(pg.target, "SELECT count(*) FROM snap_big WHERE pad = 'diverged'")).containsExactly("0");
        }
    }
}
