package io.understudy.bench;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;

/**
 * How fast each replication applies a backlog, which a live load cannot show: the load generator commits fewer
 * single-row transactions per second on the primary than an apply may reach. With the secondary not applying, N
 * single-row transactions are committed on the primary; then the secondary applies again and the time until the last
 * of them is there is the drain time: applied tx/s = N ÷ drain time.
 * <ul>
 *   <li>Understudy: a transaction on the secondary's database holds the replicated table in {@code SHARE} mode, so the
 *       secondary's apply waits for its lock while the node, its JVM and its stream stay up (warm, as in steady
 *       operation); the changes wait in the stream's bounded queue and then in the slot on the primary. The drain is
 *       timed from the moment the lock is released. (Stopping and starting the node would time a cold JVM's start-up
 *       and warm-up instead of the apply.) What the queue already holds was decoded before the drain began: up to
 *       the queue's capacity, a few percent of the backlog;</li>
 *   <li>PostgreSQL: {@code ALTER SUBSCRIPTION ... DISABLE}, then {@code ENABLE}; the drain is timed from the moment an
 *       apply worker runs again.</li>
 * </ul>
 * Both drains are watched the same way: the subscriber's copy polled every 5 ms, first for the last 64 ids, then for
 * all N rows.
 */
final class Backlog {

    private static final int WRITERS = 8;
    private static final int TAIL = 64;
    private static final Duration LIMIT = Duration.ofMinutes(5);

    private Backlog() {
    }

    static List<String> ours(BenchPair pair, long n, long firstId) throws Exception {
        SqlLoad.Result r;
        long start;
        try (Connection hold = pair.secondaryDb().getConnection()) {
            hold.setAutoCommit(false);
            try (Statement st = hold.createStatement()) {
                st.execute("LOCK TABLE " + BenchPair.OURS + " IN SHARE MODE"); // the apply's inserts wait for it
            }
            r = built(SqlLoad.count(pair.primaryDb, SqlLoad.Spec.into(BenchPair.OURS), WRITERS, n, firstId, LIMIT), n);
            start = System.nanoTime();
            hold.commit();
        }
        long drain = awaitRows(pair.secondaryDb(), BenchPair.OURS, firstId, n) - start;
        return row("Understudy", n, r, drain, "");
    }

    static List<String> theirs(NativeReplication pg, long n, long firstId) throws Exception {
        pg.enabled(false, LIMIT);
        SqlLoad.Result r = built(SqlLoad.count(pg.publisher(), SqlLoad.Spec.into(NativeReplication.TABLE), WRITERS, n, firstId,
                LIMIT), n);
        pg.enabled(true, LIMIT);
        long start = System.nanoTime();
        long drain = awaitRows(pg.subscriber(), NativeReplication.TABLE, firstId, n) - start;
        return row("PostgreSQL", n, r, drain, "1.00");
    }

    private static SqlLoad.Result built(SqlLoad.Result r, long n) {
        if (r.transactions() != n) {
            throw new IllegalStateException("backlog: " + r.transactions() + " of " + n + " transactions committed within " + LIMIT);
        }
        return r;
    }

    private static List<String> row(String system, long n, SqlLoad.Result r, long drainNanos, String ratio) {
        List<String> row = List.of(system, "async", "backlog 1-row", n + " tx", String.format("%.0f", r.perSecond()),
                Report.ms(r.latency().percentileMs(50)), Report.ms(r.latency().percentileMs(99)), "-", "-", "-",
                String.format("%.0f", n * 1e9 / drainNanos), Long.toString(drainNanos / 1_000_000), ratio,
                ReplicationBench.loadAverage());
        System.out.println(String.join(" | ", row));
        return row;
    }

    /** Polls until ids [firstId, firstId + n) are all in {@code table}; returns the time they were. */
    private static long awaitRows(DataSource db, String table, long firstId, long n) throws Exception {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        long end = firstId + n;
        String tail = "SELECT count(*) FROM " + table + " WHERE id >= " + Math.max(firstId, end - TAIL) + " AND id < " + end;
        String all = "SELECT count(*) FROM " + table + " WHERE id >= " + firstId + " AND id < " + end;
        while (NativeReplication.scalar(db, tail) < Math.min(n, TAIL) || NativeReplication.scalar(db, all) < n) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("backlog of " + n + " transactions in " + table + " not applied within " + LIMIT);
            }
            Thread.sleep(5); // polling the subscriber's copy; bounded by LIMIT
        }
        return System.nanoTime();
    }
}
