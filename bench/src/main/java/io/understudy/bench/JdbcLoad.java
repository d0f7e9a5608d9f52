package io.understudy.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/** Single-row autocommit inserts into the node's objects table, straight over JDBC, as fast as the writers go. */
final class JdbcLoad {

    record Result(long committed, long elapsedNanos) {
    }

    private JdbcLoad() {
    }

    static Result run(DataSource db, int writers, Duration duration) throws Exception {
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        AtomicLong committed = new AtomicLong();
        AtomicLong ids = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        List<Exception> errors = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            Thread t = new Thread(() -> {
                try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO objects (id, body, etag, version, written_epoch) VALUES (?, ?, 'e', 1, 1)")) {
                    while (System.nanoTime() < end) {
                        long id = ids.incrementAndGet();
                        ps.setString(1, "jdbc-" + id);
                        ps.setBytes(2, ("{\"n\":" + id + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                        ps.executeUpdate();
                        committed.incrementAndGet();
                    }
                } catch (Exception e) {
                    synchronized (errors) {
                        errors.add(e);
                    }
                }
            }, "jdbc-load-" + w);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        if (!errors.isEmpty()) {
            throw errors.get(0);
        }
        return new Result(committed.get(), System.nanoTime() - start);
    }
}
