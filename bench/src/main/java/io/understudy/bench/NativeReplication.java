package io.understudy.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * PostgreSQL's own logical replication between the same two databases the nodes use: a publication of one table on
 * the primary's database, a subscription on the secondary's (its apply worker commits with its default
 * {@code synchronous_commit=off}). The subscriber's copy has one more column, filled by its default when the apply
 * worker inserts the row: apply time minus the source row's insert time is the lag of that row.
 */
final class NativeReplication implements AutoCloseable {

    static final String TABLE = "benchnat.rows";
    private static final String NAME = "bench_native";

    private final DataSource publisher;
    private final DataSource subscriber;

    private NativeReplication(DataSource publisher, DataSource subscriber) {
        this.publisher = publisher;
        this.subscriber = subscriber;
    }

    /** Creates the tables, the publication and the subscription; the subscription streams when this returns. */
    static NativeReplication start(DataSource publisher, DataSource subscriber, int publisherPort) throws SQLException {
        exec(publisher, "CREATE SCHEMA IF NOT EXISTS benchnat");
        exec(publisher, "CREATE TABLE " + TABLE + " (id bigint PRIMARY KEY, body bytea, src_at timestamptz NOT NULL DEFAULT clock_timestamp())");
        exec(publisher, "CREATE PUBLICATION " + NAME + " FOR TABLE " + TABLE);
        exec(subscriber, "CREATE SCHEMA IF NOT EXISTS benchnat");
        exec(subscriber, "CREATE TABLE " + TABLE + " (id bigint PRIMARY KEY, body bytea, src_at timestamptz NOT NULL,"
                + " dst_at timestamptz NOT NULL DEFAULT clock_timestamp())");
        exec(subscriber, "CREATE SUBSCRIPTION " + NAME + " CONNECTION 'host=127.0.0.1 port=" + publisherPort
                + " dbname=postgres user=postgres' PUBLICATION " + NAME + " WITH (copy_data = false)");
        return new NativeReplication(publisher, subscriber);
    }

    DataSource publisher() {
        return publisher;
    }

    DataSource subscriber() {
        return subscriber;
    }

    /**
     * Disables the subscription and returns once its apply worker is gone (the slot on the publisher keeps every change
     * from then on), or enables it and returns once an apply worker runs again; either way within {@code limit}.
     */
    void enabled(boolean on, Duration limit) throws Exception {
        exec(subscriber, "ALTER SUBSCRIPTION " + NAME + (on ? " ENABLE" : " DISABLE"));
        long deadline = System.nanoTime() + limit.toNanos();
        String workers = "SELECT count(*) FROM pg_stat_subscription WHERE subname = '" + NAME + "' AND pid IS NOT NULL";
        while (scalar(subscriber, workers) > 0 != on) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the subscription's apply worker did not " + (on ? "start" : "stop") + " within " + limit);
            }
            Thread.sleep(1); // polling the worker list; bounded by limit
        }
    }

    /** Lag and throughput of rows with ids in [firstId, firstId + rows) once all of them arrived (or the limit passed). */
    record Applied(long rows, long catchUpNanos, double p50Ms, double p99Ms, double maxMs) {
    }

    Applied await(long firstId, long rows, Duration limit) throws Exception {
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        String range = " WHERE id >= " + firstId + " AND id < " + (firstId + rows);
        long arrived = 0;
        while (System.nanoTime() < deadline && (arrived = scalar(subscriber, "SELECT count(*) FROM " + TABLE + range)) < rows) {
            Thread.sleep(5); // polling the subscriber's row count; bounded by limit
        }
        long catchUp = System.nanoTime() - start;
        try (Connection c = subscriber.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms), percentile_cont(0.99) WITHIN GROUP (ORDER BY ms), max(ms)"
                        + " FROM (SELECT extract(epoch FROM dst_at - src_at) * 1000 AS ms FROM " + TABLE + range + ") l")) {
            rs.next();
            return new Applied(arrived, catchUp, rs.getDouble(1), rs.getDouble(2), rs.getDouble(3));
        }
    }

    /** Makes the subscription the primary's synchronous standby, so sessions may ask for {@code remote_apply}. */
    void synchronous(boolean on) throws SQLException {
        exec(publisher, "ALTER SYSTEM SET synchronous_standby_names = '" + (on ? NAME : "") + "'");
        exec(publisher, "SELECT pg_reload_conf()");
    }

    @Override
    public void close() throws SQLException {
        synchronous(false);
        exec(subscriber, "DROP SUBSCRIPTION IF EXISTS " + NAME);
        exec(publisher, "DROP PUBLICATION IF EXISTS " + NAME);
    }

    static void exec(DataSource db, String sql) throws SQLException {
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    static long scalar(DataSource db, String sql) throws SQLException {
        try (Connection c = db.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
