package io.understudy.bench;

import io.understudy.cluster.config.Settings;
import io.understudy.launcher.ApplianceConfig;
import io.understudy.launcher.EmbeddedEnsemble;
import io.understudy.launcher.LocalPostgres;
import io.understudy.node.Node;
import io.understudy.node.NodeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Replication lag and throughput, side by side with PostgreSQL's own logical replication between the same two
 * databases in the same run, and the write path side by side with pgbench.
 * <ul>
 *   <li>async: writers insert straight into the primary's database (no write path in the way) at 100, 1,000 and 2,000
 *       transactions/s and at the maximum, single-row transactions and (at the maximum) 10-row ones; each stage runs
 *       once into a table Understudy replicates and once into a table a PostgreSQL subscription replicates. Lag is
 *       commit on the primary → applied on the secondary: for Understudy from the secondary's {@code /metrics}
 *       histogram (1 ms buckets), for PostgreSQL from the row's insert time and its apply time on the subscriber;</li>
 *   <li>write path: {@code PUT /api/objects/{id}} from 16 connections against the primary node, then pgbench's
 *       single-row upserts into the same table from 16 clients, with the secondary streaming;</li>
 *   <li>sync: PUTs from 1, 4 and 16 connections in sync mode, then PostgreSQL's {@code remote_apply} with the same
 *       number of sessions (the subscription as the primary's synchronous standby).</li>
 * </ul>
 * Both nodes run in this JVM, with their ZooKeeper ensemble, against two PostgreSQL servers in their own processes
 * with fsync and synchronous_commit on. The machine's load average is printed with every row: on a shared machine
 * only the ratios within one run mean much.
 *
 * <p>Usage: {@code bench/run.sh replication [seconds per stage]}. Uses ports 19080-19433 on 127.0.0.1.
 */
public final class ReplicationBench {

    private static final int[] RATES = {100, 1000, 2000, 0};
    private static final int[] SYNC_CLIENTS = {1, 4, 16};
    private static final int PACED_WRITERS = 16;
    private static final int MAX_WRITERS = 8;
    private static final int WRITE_PATH_CLIENTS = 16;
    private static final String OURS = "benchrep.rows";
    private static final Duration CATCH_UP_LIMIT = Duration.ofMinutes(2);
    private static final List<String> HEADER = List.of("system", "mode", "load", "offered tx/s", "committed tx/s", "client p50 ms",
            "client p99 ms", "lag p50 ms", "lag p99 ms", "lag max ms", "applied tx/s", "catch-up ms", "ratio", "loadavg");

    public static void main(String[] args) throws Exception {
        Duration stage = Duration.ofSeconds(args.length > 0 ? Integer.parseInt(args[0]) : 15);
        Path data = Files.createTempDirectory("understudy-replbench-");
        BenchClient http = new BenchClient(Duration.ofSeconds(10));
        List<List<String>> rows = new ArrayList<>();
        for (String mode : List.of("async", "sync")) {
            ApplianceConfig config = new ApplianceConfig(data.resolve(mode), "repl-" + mode, 19080, 19081, 19432,
                    ApplianceConfig.firstIds(2), 19181, 19281, 19381);
            try (Pair pair = Pair.start(config, mode); NativeReplication pg = NativeReplication.start(pair.primaryDb,
                    pair.pgB.dataSource(), config.pgPort("a"))) {
                // JIT and connection pools, not measured: on two busy cores C2 needs well over 5 s for the decoding path.
                LagHistogram cold = LagHistogram.parse(http.get(pair.secondaryUrl + "/metrics"));
                LoadGenerator.Result warm = new LoadGenerator(http, pair.primaryUrl, 64).run("warm", 500, Duration.ofSeconds(20));
                // Every warm-up write applied before the first stage: a backlog left over would count as its lag.
                waitApplied(http, pair, cold, warm.acked());
                if (mode.equals("async")) {
                    long firstId = 0;
                    for (int rate : RATES) {
                        for (int rowsPerTx : rate == 0 ? new int[] {1, 10} : new int[] {1}) {
                            String load = rowsPerTx + "-row";
                            List<String> ours = ourStage(http, pair, load, rate, rowsPerTx, firstId, stage);
                            List<String> theirs = nativeStage(pg, load, rate, rowsPerTx, firstId, stage);
                            rows.add(withRatio(ours, theirs, 10));
                            rows.add(theirs);
                            firstId += 100_000_000L;
                        }
                    }
                    List<String> api = apiStage(http, pair, "async", WRITE_PATH_CLIENTS, stage);
                    double pgbench = Pgbench.upserts(config.pgPort("a"), WRITE_PATH_CLIENTS, stage);
                    List<String> bench = List.of("pgbench", "upsert", WRITE_PATH_CLIENTS + " clients", "max", fmt(pgbench),
                            "-", "-", "-", "-", "-", "-", "-", "1.00", loadAverage());
                    rows.add(withRatio(api, bench, 4));
                    rows.add(bench);
                } else {
                    List<List<String>> ours = new ArrayList<>();
                    for (int clients : SYNC_CLIENTS) {
                        ours.add(apiStage(http, pair, "sync", clients, stage));
                    }
                    pg.synchronous(true);
                    long firstId = 1_000_000_000L;
                    for (int i = 0; i < SYNC_CLIENTS.length; i++) {
                        SqlLoad.Result r = SqlLoad.run(pg.publisher(), new SqlLoad.Spec(NativeReplication.TABLE, "", "",
                                "SET synchronous_commit = remote_apply"), SYNC_CLIENTS[i], 0, 1, firstId, stage);
                        firstId += 100_000_000L;
                        List<String> theirs = List.of("PostgreSQL", "sync (remote_apply)", SYNC_CLIENTS[i] + " clients", "max",
                                fmt(r.perSecond()), Report.ms(r.latency().percentileMs(50)), Report.ms(r.latency().percentileMs(99)),
                                "-", "-", "-", fmt(r.perSecond()), "-", "1.00", loadAverage());
                        rows.add(withRatio(ours.get(i), theirs, 4));
                        rows.add(theirs);
                    }
                    pg.synchronous(false);
                }
            }
        }
        Report report = new Report("replication", "Replication and write path, side by side with PostgreSQL");
        report.line("Each stage: " + stage.toSeconds() + " s. Lag = commit on the primary → applied on the secondary"
                        + " (Understudy: upper bounds of 1 ms buckets). applied tx/s = transactions applied ÷ (load time +"
                        + " catch-up); catch-up = time after the load ended until the secondary had applied everything. ratio ="
                        + " Understudy's applied (async) or committed (write path, sync) tx/s ÷ the PostgreSQL row below it."
                        + " loadavg = the machine's 1-minute load average when the stage ended (2 cores, shared).").line("")
                .table(HEADER, rows);
        report.publish(System.out, Path.of("bench", "results"));
    }

    /** Straight into the primary's database, into a table Understudy replicates. */
    private static List<String> ourStage(BenchClient http, Pair pair, String load, int rate, int rowsPerTx, long firstId,
                                         Duration stage) throws Exception {
        LagHistogram before = LagHistogram.parse(http.get(pair.secondaryUrl + "/metrics"));
        SqlLoad.Result r = SqlLoad.run(pair.primaryDb, SqlLoad.Spec.into(OURS), rate > 0 ? PACED_WRITERS : MAX_WRITERS, rate,
                rowsPerTx, firstId, stage);
        long catchUp = waitApplied(http, pair, before, r.transactions());
        LagHistogram lag = LagHistogram.parse(http.get(pair.secondaryUrl + "/metrics")).since(before);
        double applied = lag.applied() * 1e9 / (r.elapsedNanos() + catchUp);
        return print(List.of("Understudy", "async", load, rate > 0 ? Integer.toString(rate) : "max", fmt(r.perSecond()),
                Report.ms(r.latency().percentileMs(50)), Report.ms(r.latency().percentileMs(99)), Report.ms(lag.percentile(50)),
                Report.ms(lag.percentile(99)), Report.ms(lag.max()), fmt(applied), Long.toString(catchUp / 1_000_000), "", loadAverage()));
    }

    /** The same load into the table PostgreSQL's own subscription replicates. */
    private static List<String> nativeStage(NativeReplication pg, String load, int rate, int rowsPerTx, long firstId,
                                            Duration stage) throws Exception {
        SqlLoad.Result r = SqlLoad.run(pg.publisher(), SqlLoad.Spec.into(NativeReplication.TABLE),
                rate > 0 ? PACED_WRITERS : MAX_WRITERS, rate, rowsPerTx, firstId, stage);
        NativeReplication.Applied a = pg.await(firstId, r.transactions() * rowsPerTx, CATCH_UP_LIMIT);
        double applied = a.rows() / (double) rowsPerTx * 1e9 / (r.elapsedNanos() + a.catchUpNanos());
        return print(List.of("PostgreSQL", "async", load, rate > 0 ? Integer.toString(rate) : "max", fmt(r.perSecond()),
                Report.ms(r.latency().percentileMs(50)), Report.ms(r.latency().percentileMs(99)), Report.ms(a.p50Ms()),
                Report.ms(a.p99Ms()), Report.ms(a.maxMs()), fmt(applied), Long.toString(a.catchUpNanos() / 1_000_000), "1.00",
                loadAverage()));
    }

    /** PUTs through the primary node's API from {@code clients} connections, as fast as they go. */
    private static List<String> apiStage(BenchClient http, Pair pair, String mode, int clients, Duration stage) throws Exception {
        LagHistogram before = LagHistogram.parse(http.get(pair.secondaryUrl + "/metrics"));
        LoadGenerator.Result r = new LoadGenerator(http, pair.primaryUrl, clients).run(mode + "-" + clients, 0, stage);
        long catchUp = waitApplied(http, pair, before, r.acked());
        LagHistogram lag = LagHistogram.parse(http.get(pair.secondaryUrl + "/metrics")).since(before);
        return print(List.of("Understudy", mode + " (API PUT)", clients + " clients", "max", fmt(r.ackedPerSecond()),
                Report.ms(r.latency().percentileMs(50)), Report.ms(r.latency().percentileMs(99)), Report.ms(lag.percentile(50)),
                Report.ms(lag.percentile(99)), Report.ms(lag.max()), fmt(lag.applied() * 1e9 / (r.elapsedNanos() + catchUp)),
                Long.toString(catchUp / 1_000_000), "", loadAverage()));
    }

    /** {@code ours} with its ratio column set to its column {@code column} ÷ the same column of {@code anchor}. */
    private static List<String> withRatio(List<String> ours, List<String> anchor, int column) {
        List<String> row = new ArrayList<>(ours);
        double a = Double.parseDouble(anchor.get(column));
        row.set(12, a > 0 ? String.format("%.2f", Double.parseDouble(ours.get(column)) / a) : "-");
        return row;
    }

    private static List<String> print(List<String> row) {
        System.out.println(String.join(" | ", row));
        return row;
    }

    private static String fmt(double value) {
        return Double.isNaN(value) ? "-" : String.format("%.0f", value);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    /** Waits until the secondary applied {@code expected} transactions since {@code before}; returns how long it took. */
    private static long waitApplied(BenchClient http, Pair pair, LagHistogram before, long expected) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + CATCH_UP_LIMIT.toNanos();
        long quietSince = start;
        long last = -1;
        while (System.nanoTime() < deadline) {
            long applied = LagHistogram.parse(http.get(pair.secondaryUrl + "/metrics")).since(before).applied();
            if (expected > 0 ? applied >= expected : applied == last && System.nanoTime() - quietSince > 1_000_000_000L) {
                return System.nanoTime() - start;
            }
            if (applied != last) {
                last = applied;
                quietSince = System.nanoTime();
            }
            Thread.sleep(5); // polling the secondary's counter; the bound is CATCH_UP_LIMIT
        }
        return System.nanoTime() - start;
    }

    /** ZooKeeper, two PostgreSQL servers and two nodes; {@code a} is the primary. */
    private static final class Pair implements AutoCloseable {
        EmbeddedEnsemble zk;
        LocalPostgres pgA;
        LocalPostgres pgB;
        Node a;
        Node b;
        String primaryUrl;
        String secondaryUrl;
        javax.sql.DataSource primaryDb;

        static Pair start(ApplianceConfig config, String mode) throws Exception {
            Pair p = new Pair();
            try {
                p.zk = EmbeddedEnsemble.forAppliance(config);
                p.zk.start(Duration.ofMinutes(1));
                p.pgA = new LocalPostgres("postgres-a", config.postgresDir("a"), config.pgPort("a"), config.logDir().resolve("pg-a.log"));
                p.pgB = new LocalPostgres("postgres-b", config.postgresDir("b"), config.pgPort("b"), config.logDir().resolve("pg-b.log"));
                p.pgA.start();
                p.pgB.start();
                p.primaryDb = p.pgA.dataSource();
                // Understudy's table for the async stages; in its scope (replication.include), so the secondary copies it.
                NativeReplication.exec(p.primaryDb, "CREATE SCHEMA benchrep");
                NativeReplication.exec(p.primaryDb, "CREATE TABLE " + OURS + " (id bigint PRIMARY KEY, body bytea,"
                        + " src_at timestamptz NOT NULL DEFAULT clock_timestamp())");
                BenchClient http = new BenchClient(Duration.ofSeconds(2));
                p.a = Node.start(nodeConfig(config, "a", p.pgA, mode));
                p.primaryUrl = config.nodeApiUrl("a");
                await("a primary", () -> http.get(p.primaryUrl + "/primary") != null);
                p.b = Node.start(nodeConfig(config, "b", p.pgB, mode));
                p.secondaryUrl = config.nodeApiUrl("b");
                await("b streaming", () -> http.get(p.secondaryUrl + "/replica") != null);
                if (mode.equals("sync")) {
                    await("a sync write", () -> http.put(p.primaryUrl + "/api/objects/attached", "{}") / 100 == 2);
                }
                return p;
            } catch (Exception | Error e) {
                p.close();
                throw e;
            }
        }

        private static NodeConfig nodeConfig(ApplianceConfig config, String id, LocalPostgres pg, String mode) {
            Map<String, String> m = new HashMap<>();
            m.put("node.id", id);
            m.put("cluster.name", config.clusterName());
            m.put("zookeeper.connect", config.zookeeperConnect());
            m.put("api.port", Integer.toString(config.nodeApiPort(id)));
            m.put("db.url", pg.jdbcUrl());
            m.put("db.poolSize", "16");
            m.put("data.dir", config.nodeDataDir(id).toString());
            m.put("replication.mode", mode);
            m.put("replication.syncTimeoutMs", "5000");
            m.put("replication.include", "benchrep.*");
            // A shared machine stalls processes for seconds; an expired session would re-elect and resync mid-stage.
            m.put("zookeeper.sessionTimeoutMs", "15000");
            return NodeConfig.from(Settings.of("bench node " + id, m));
        }

        private static void await(String what, java.util.function.BooleanSupplier done) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (!done.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("timed out waiting for " + what);
                }
                Thread.sleep(100); // polling a condition with a bound
            }
        }

        @Override
        public void close() {
            for (AutoCloseable c : new AutoCloseable[] {b, a, pgB, pgA, zk}) {
                try {
                    if (c != null) {
                        c.close();
                    }
                } catch (Exception e) {
                    System.err.println("closing " + c + ": " + e);
                }
            }
        }
    }
}
