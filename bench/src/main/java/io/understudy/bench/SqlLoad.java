package io.understudy.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Inserts straight into a database over JDBC, {@code rowsPerTx} rows per transaction, bounded in time: paced at a
 * fixed rate of transactions (open loop: transaction i is due at start + i/rate) or as fast as the writers go. The
 * same load drives both replications compared (ours and PostgreSQL's own), so their figures can be set side by side.
 *
 * <p>Every writer opens its connection and prepares its statement before the load's clock starts. Sixteen backends
 * forked at once on two cores held both for the first few hundred milliseconds of every stage, and the replication
 * threads waiting for a core meanwhile set the stage's lag p99.
 */
final class SqlLoad {

    /**
     * @param table      table to insert into; it has at least {@code id bigint} and {@code body bytea} (other columns
     *                   have defaults)
     * @param sessionSql run once per writer session before the load (e.g. a {@code synchronous_commit} setting), or null
     */
    record Spec(String table, String extraColumns, String extraValues, String sessionSql) {
        static Spec into(String table) {
            return new Spec(table, "", "", null);
        }
    }

    record Result(long transactions, long elapsedNanos, Samples latency) {
        double perSecond() {
            return transactions * 1e9 / Math.max(1, elapsedNanos);
        }
    }

    private SqlLoad() {
    }

    /**
     * @param firstId ids used are firstId, firstId + 1, ...: each stage writes rows of its own
     * @param rate    transactions per second, or 0 for as fast as the writers go
     */
    static Result run(DataSource db, Spec spec, int writers, int rate, int rowsPerTx, long firstId, Duration duration)
            throws Exception {
        return run(db, spec, writers, () -> new Pacing(rate, duration), rowsPerTx, firstId);
    }

    /** {@code transactions} single-row transactions as fast as the writers go (fewer if {@code limit} passes first). */
    static Result count(DataSource db, Spec spec, int writers, long transactions, long firstId, Duration limit)
            throws Exception {
        return run(db, spec, writers, () -> new Pacing(0, transactions, limit), 1, firstId);
    }

    private static Result run(DataSource db, Spec spec, int writers, Supplier<Pacing> clock, int rowsPerTx, long firstId)
            throws Exception {
        CountDownLatch connected = new CountDownLatch(writers);
        CompletableFuture<Pacing> started = new CompletableFuture<>();
        AtomicLong done = new AtomicLong();
        List<Samples> latencies = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        List<Exception> errors = new ArrayList<>();
        String sql = "INSERT INTO " + spec.table() + " (id, body" + spec.extraColumns() + ") VALUES (?, ?" + spec.extraValues() + ")";
        for (int w = 0; w < writers; w++) {
            Samples mine = new Samples();
            latencies.add(mine);
            Thread t = new Thread(() -> {
                try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
                    if (spec.sessionSql() != null) {
                        try (Statement st = c.createStatement()) {
                            st.execute(spec.sessionSql());
                        }
                    }
                    c.setAutoCommit(rowsPerTx == 1);
                    connected.countDown();
                    Pacing pacing = started.join();
                    long i;
                    while ((i = pacing.nextTurn()) >= 0) {
                        long sent = System.nanoTime();
                        for (int k = 0; k < rowsPerTx; k++) {
                            long id = firstId + i * rowsPerTx + k;
                            ps.setLong(1, id);
                            ps.setBytes(2, ("{\"n\":" + id + ",\"pad\":\"0123456789abcdef\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                            if (rowsPerTx == 1) {
                                ps.executeUpdate();
                            } else {
                                ps.addBatch();
                            }
                        }
                        if (rowsPerTx > 1) {
                            ps.executeBatch();
                            c.commit();
                        }
                        done.incrementAndGet();
                        mine.add(System.nanoTime() - sent);
                    }
                } catch (Exception e) {
                    synchronized (errors) {
                        errors.add(e);
                    }
                    // a writer that failed before it connected must not hold up the others (after, the count is 0)
                    connected.countDown();
                }
            }, "sql-load-" + w);
            threads.add(t);
            t.start();
        }
        if (!connected.await(30, TimeUnit.SECONDS)) {
            started.completeExceptionally(new IllegalStateException("writers not connected within 30 s"));
        }
        Pacing pacing = clock.get();
        started.complete(pacing);
        for (Thread t : threads) {
            t.join();
        }
        if (!errors.isEmpty()) {
            throw errors.get(0);
        }
        Samples all = new Samples();
        latencies.forEach(all::addAll);
        return new Result(done.get(), System.nanoTime() - pacing.start(), all);
    }
}
