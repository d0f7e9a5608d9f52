package io.understudy.bench;

import io.understudy.launcher.ApplianceConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Replication lag and throughput, side by side with PostgreSQL's own logical replication between the same two
 * databases in the same run, and the write path side by side with pgbench.
 * <ul>
 *   <li>async: writers insert straight into the primary's database (no write path in the way) at 100, 1,000 and 2,000
 *       transactions/s and at the maximum, single-row transactions and (at the maximum) 10-row ones; each stage runs
 *       once into a table Understudy replicates and once into a table a PostgreSQL subscription replicates. Lag is
 *       commit on the primary → applied on the secondary: for Understudy from the secondary's {@code /metrics}
 *       histogram (1 ms buckets), for PostgreSQL from the row's insert time and its apply time on the subscriber;</li>
 *   <li>write path: {@code PUT /api/objects/{id}} from 16 connections through the failover switch, through nginx and
 *       straight to the primary node (where the switch's share of the time shows), and pgbench's single-row upserts
 *       into the same table from 16 clients, with the secondary streaming, in interleaved rounds
 *       ({@link WritePathRounds}). The PUTs come from wrk, a process of its own ({@link WrkWrites}), as a user would
 *       send them;</li>
 *   <li>backlog: N single-row transactions (system property {@code bench.backlog}, default 30,000) committed while
 *       the secondary does not apply, then the time each replication takes to drain them ({@link Backlog}): the apply
 *       rate a live load cannot reach;</li>
 *   <li>sync: PUTs (wrk) through the switch from 1, 4 and 16 connections in sync mode (and from 16 straight to the
 *       primary node), then PostgreSQL's {@code remote_apply} with the same number of sessions (the subscription as the
 *       primary's synchronous standby).</li>
 * </ul>
 * ZooKeeper runs in this JVM; the two PostgreSQL servers in their own processes with fsync and synchronous_commit
 * on; both nodes and the switch each in a JVM of its own, as {@code understudy local} runs them ({@link BenchPair}).
 * The machine's load average is printed with every row: on a shared machine only the ratios within one run mean much.
 *
 * <p>Usage: {@code bench/run.sh replication [seconds per stage]}. {@code -Dbench.only=writepath} runs only the async
 * appliance's write-path rows (PUT via switch, PUT via nginx, PUT to node, pgbench; about two minutes with 10 s stages);
 * {@code -Dbench.only=lag} only the paced single-row stages at 100 and 1,000 transactions/s, where the lag is read
 * (about two minutes with 10 s stages); {@code -Dbench.only=sync} only the sync appliance's rows (about two minutes);
 * {@code -Dbench.only=throughput} only the async stages the decoding thread limits: max single-row, max ten-row and the
 * backlog (about two minutes);
 * {@code -Dbench.warmSeconds=N} warms the appliance up for N s (default 20)
 * before the first stage. Uses 15 ports on 127.0.0.1 from {@code -Dbench.firstPort} (default 19080, the
 * switch's; the nodes', PostgreSQL's and ZooKeeper's follow it, nginx's last).
 */
public final class ReplicationBench {

    private static final int[] RATES = {100, 1000, 2000, 0};
    private static final int[] SYNC_CLIENTS = {1, 4, 16};
    private static final int PACED_WRITERS = 16;
    private static final int MAX_WRITERS = 8;
    private static final int WRITE_PATH_CLIENTS = 16;
    private static final String OURS = BenchPair.OURS;
    private static final long BACKLOG = Long.getLong("bench.backlog", 30_000);
    private static final Duration CATCH_UP_LIMIT = Duration.ofMinutes(2);
    private static final int FIRST_PORT = Integer.getInteger("bench.firstPort", 19080);
    /** nginx in front of the primary node, for the write path's anchor row: the port after the appliance's 14. */
    static final int NGINX_PORT = FIRST_PORT + 14;
    /** {@code -Dbench.only}: writepath, lag, sync or throughput for those rows alone; empty for the whole bench. */
    private static final String ONLY = System.getProperty("bench.only", "");
    private static final boolean WRITE_PATH_ONLY = ONLY.equals("writepath");
    /** Only the paced single-row stages where the lag is read, at these rates: about two minutes with 10 s stages. */
    private static final boolean LAG_ONLY = ONLY.equals("lag");
    private static final int[] LAG_RATES = {100, 1000};
    private static final boolean SYNC_ONLY = ONLY.equals("sync");
    /** Only the flat-out async stages and the backlog, which measure how fast the secondary can apply. */
    private static final boolean THROUGHPUT_ONLY = ONLY.equals("throughput");
    private static final int[] THROUGHPUT_RATES = {0};
    /** Ids of the unmeasured rows that warm the stages' tables; the stages' ids start at 0, the sync stages' at 10^9. */
    private static final long WARM_IDS = 5_000_000_000L;
    /** How long the appliance is warmed up before the first stage ({@code -Dbench.warmSeconds}). */
    private static final Duration WARM_UP = Duration.ofSeconds(Long.getLong("bench.warmSeconds", 20));
    private static final List<String> HEADER = List.of("system", "mode", "load", "offered tx/s", "committed tx/s", "client p50 ms",
            "client p99 ms", "lag p50 ms", "lag p99 ms", "lag max ms", "applied tx/s", "catch-up ms", "ratio", "loadavg");

    public static void main(String[] args) throws Exception {
        Duration stage = Duration.ofSeconds(args.length > 0 ? Integer.parseInt(args[0]) : 15);
        Path data = Files.createTempDirectory("understudy-replbench-");
        BenchClient http = new BenchClient(Duration.ofSeconds(10));
        List<List<String>> rows = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<String> modes = WRITE_PATH_ONLY || LAG_ONLY || THROUGHPUT_ONLY ? List.of("async") : SYNC_ONLY ? List.of("sync") : List.of("async", "sync");
        for (String mode : modes) {
            ApplianceConfig config = new ApplianceConfig(data.resolve(mode), "repl-" + mode, FIRST_PORT, FIRST_PORT + 1,
                    FIRST_PORT + 3, ApplianceConfig.firstIds(2), FIRST_PORT + 5, FIRST_PORT + 8, FIRST_PORT + 11);
            try (BenchPair pair = BenchPair.start(config, mode); NativeReplication pg = NativeReplication.start(pair.primaryDb,
                    pair.pgB.dataSource(), config.pgPort("a"))) {
                // JIT and connection pools, not measured: on two busy cores C2 needs well over 5 s for the decoding path.
                LagHistogram cold = LagHistogram.parse(http.get(pair.secondaryUrl + "/metrics"));
                LoadGenerator.Result warm = new LoadGenerator(http, pair.switchUrl, 64).run("warm", 500, WARM_UP);
                // Every warm-up write applied before the first stage: a backlog left over would count as its lag.
                waitApplied(http, pair, cold, warm.acked());
                if (mode.equals("async")) {
                    if (!WRITE_PATH_ONLY) {
                        warmTables(http, pair, pg);
                    }
                    long firstId = 0;
                    for (int rate : WRITE_PATH_ONLY ? new int[0] : LAG_ONLY ? LAG_RATES : THROUGHPUT_ONLY ? THROUGHPUT_RATES : RATES) {
                        for (int rowsPerTx : rate == 0 ? new int[] {1, 10} : new int[] {1}) {
                            String load = rowsPerTx + "-row";
                            List<String> ours = ourStage(http, pair, load, rate, rowsPerTx, firstId, stage);
                            List<String> theirs = nativeStage(pg, load, rate, rowsPerTx, firstId, stage);
                            rows.add(withRatio(ours, theirs, 10));
                            rows.add(theirs);
                            firstId += 100_000_000L;
                        }
                    }
                    if (LAG_ONLY) {
                        continue;
                    }
                    if (!THROUGHPUT_ONLY) {
                        WritePathRounds.measure(http, pair, data, config, stage, WRITE_PATH_CLIENTS, rows, notes);
                    }
                    if (WRITE_PATH_ONLY) {
                        continue;
                    }
                    // Last in this appliance's run: it holds up the secondary's apply for a while.
                    List<String> theirs = Backlog.theirs(pg, BACKLOG, firstId);
                    rows.add(withRatio(Backlog.ours(pair, BACKLOG, firstId + 100_000_000L), theirs, 10));
                    rows.add(theirs);
                } else {
                    List<List<String>> ours = new ArrayList<>();
                    for (int clients : SYNC_CLIENTS) {
                        ours.add(apiStage(http, pair, data, "sync", true, clients, stage));
                    }
                    List<String> direct = apiStage(http, pair, data, "sync", false, SYNC_CLIENTS[SYNC_CLIENTS.length - 1], stage);
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
                        if (i == SYNC_CLIENTS.length - 1) {
                            rows.add(withRatio(direct, theirs, 4));
                        }
                        rows.add(theirs);
                    }
                    pg.synchronous(false);
                }
            }
        }
        Report report = WRITE_PATH_ONLY ? new Report("replication-writepath", "Write path, side by side with pgbench")
                : LAG_ONLY ? new Report("replication-lag", "Replication lag at paced rates, side by side with PostgreSQL")
                : SYNC_ONLY ? new Report("replication-sync", "Sync mode, side by side with PostgreSQL's remote_apply")
                : THROUGHPUT_ONLY ? new Report("replication-throughput", "Replication flat out and from a backlog, side by side with PostgreSQL")
                : new Report("replication", "Replication and write path, side by side with PostgreSQL");
        report.line("Each stage: " + stage.toSeconds() + " s, after " + WARM_UP.toSeconds() + " s of warm-up writes through the"
                        + " switch. Lag = commit on the primary → applied on the secondary"
                        + " (Understudy: upper bounds of its histogram's buckets, 1 ms wide up to 30 ms, then 35, 40, 50, 60, 80, 100,"
                        + " 150, 200, 300 ...). applied tx/s = transactions applied ÷ (load time +"
                        + " catch-up); catch-up = time after the load ended until the secondary had applied everything. ratio ="
                        + " Understudy's applied (async, backlog) or committed (write path, sync) tx/s ÷ the PostgreSQL or pgbench row"
                        + " below it. Nodes and switch each in a JVM of its own, as `understudy local` runs them. PUT via switch: through the failover switch;"
                        + " PUT via nginx: through nginx (1 worker, keep-alive) straight to the primary node, the anchor for the switch's hop;"
                        + " PUT to node: straight to the primary node's API. The write path's four rows run in " + WritePathRounds.ROUNDS
                        + " interleaved rounds, each starting one row later than the one before; the table gives each row's median"
                        + " round, the lines below it every round. The PUTs come from wrk (-t2, one connection per"
                        + " client, its own process; -t1 for 1 client), each a key of its own; committed tx/s counts 2xx answers"
                        + " only, and a row whose load names non-2xx answers or socket errors had requests not acknowledged;"
                        + " client p50/p99 are wrk's. backlog: " + BACKLOG + " single-row transactions"
                        + " committed while the secondary did not apply (Understudy: its apply waiting for a SHARE lock on the"
                        + " table, held on the secondary's database; PostgreSQL: subscription disabled); applied tx/s = N ÷"
                        + " drain time, catch-up = drain time, timed from the lock's release (the subscription's enable)."
                        + " loadavg = the machine's 1-minute load average when the stage ended (2 cores, shared).").line("")
                .table(HEADER, rows);
        notes.forEach(report::line);
        report.publish(System.out, Path.of("bench", "results"));
    }

    /**
     * A few paced transactions into both stages' tables, not measured. The warm-up above writes through the switch into
     * another table; the first changes of a table the stream has not carried yet waited 60-100 ms (the decoder and the
     * applier meet the table and its code paths for the first time): some 40 transactions at 100 tx/s, enough to set
     * the stage's p99.
     */
    private static void warmTables(BenchClient http, BenchPair pair, NativeReplication pg) throws Exception {
        LagHistogram before = LagHistogram.parse(http.get(pair.secondaryUrl + "/metrics"));
        SqlLoad.Result ours = SqlLoad.run(pair.primaryDb, SqlLoad.Spec.into(OURS), PACED_WRITERS, 100, 1, WARM_IDS,
                Duration.ofSeconds(3));
        waitApplied(http, pair, before, ours.transactions());
        SqlLoad.Result theirs = SqlLoad.run(pg.publisher(), SqlLoad.Spec.into(NativeReplication.TABLE), PACED_WRITERS, 100, 1,
                WARM_IDS, Duration.ofSeconds(3));
        pg.await(WARM_IDS, theirs.transactions(), CATCH_UP_LIMIT);
    }

    /** Straight into the primary's database, into a table Understudy replicates. */
    private static List<String> ourStage(BenchClient http, BenchPair pair, String load, int rate, int rowsPerTx, long firstId,
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

    /**
     * PUTs from {@code clients} wrk connections, as fast as they go, through the switch or straight to the primary
     * node; wrk's script goes into {@code dir}.
     */
    private static List<String> apiStage(BenchClient http, BenchPair pair, Path dir, String mode, boolean viaSwitch,
                                         int clients, Duration stage) throws Exception {
        return apiStage(http, pair, dir, mode, viaSwitch ? pair.switchUrl : pair.primaryUrl,
                viaSwitch ? "switch" : "node", "", clients, stage);
    }

    /**
     * PUTs from {@code clients} wrk connections to {@code url}; {@code via} names the hop (switch, nginx or node) and
     * {@code tag} tells the stage's keys from another stage's of the same kind.
     */
    static List<String> apiStage(BenchClient http, BenchPair pair, Path dir, String mode, String url, String via,
                                 String tag, int clients, Duration stage) throws Exception {
        LagHistogram before = LagHistogram.parse(http.get(pair.secondaryUrl + "/metrics"));
        // Keys of their own per stage: "async-s16-r0", "async-x16-r0" (nginx), "async-n16-r0".
        String keys = mode + "-" + (via.equals("nginx") ? "x" : via.substring(0, 1)) + clients + tag;
        WrkWrites.Result r = WrkWrites.run(dir, url, keys, clients, stage);
        long catchUp = waitApplied(http, pair, before, r.acked());
        LagHistogram lag = LagHistogram.parse(http.get(pair.secondaryUrl + "/metrics")).since(before);
        return print(List.of("Understudy", mode + (via.equals("node") ? " (PUT to node)" : " (PUT via " + via + ")"),
                clients + " clients" + r.failures(), "max", fmt(r.ackedPerSecond()), Report.ms(r.p50Ms()), Report.ms(r.p99Ms()),
                Report.ms(lag.percentile(50)), Report.ms(lag.percentile(99)), Report.ms(lag.max()),
                fmt(lag.applied() * 1e9 / (r.elapsedNanos() + catchUp)), Long.toString(catchUp / 1_000_000), "", loadAverage()));
    }

    /** {@code ours} with its ratio column set to its column {@code column} ÷ the same column of {@code anchor}. */
    static List<String> withRatio(List<String> ours, List<String> anchor, int column) {
        List<String> row = new ArrayList<>(ours);
        double a = Double.parseDouble(anchor.get(column));
        row.set(12, a > 0 ? String.format("%.2f", Double.parseDouble(ours.get(column)) / a) : "-");
        return row;
    }

    private static List<String> print(List<String> row) {
        System.out.println(String.join(" | ", row));
        return row;
    }

    static String fmt(double value) {
        return Double.isNaN(value) ? "-" : String.format("%.0f", value);
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    /** Waits until the secondary applied {@code expected} transactions since {@code before}; returns how long it took. */
    static long waitApplied(BenchClient http, BenchPair pair, LagHistogram before, long expected) throws InterruptedException {
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
}
