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
 * Replication lag and throughput under a steady write load through the primary node's API
 * ({@code PUT /api/objects/{id}}, one single-row transaction each), at 500, 1,000 and 2,000 writes/s and at the
 * maximum, in async and in sync mode. Lag is commit on the primary → applied on the secondary, per source
 * transaction, from the secondary's {@code /metrics} histogram (1 ms buckets); applied throughput from its counter.
 * A last row writes straight into the primary's database over JDBC, to measure the replicator alone.
 *
 * <p>Both nodes run in this JVM, with their ZooKeeper ensemble, against two PostgreSQL servers in their own
 * processes with fsync and synchronous_commit on: the same code paths as the appliance without the switch hop, the
 * replication mode can be set per phase, and one flight recording covers node, API and replicator.
 *
 * <p>Usage: {@code bench/run.sh replication [seconds per stage]}. Uses ports 19080-19433 on 127.0.0.1.
 */
public final class ReplicationBench {

    private static final int[] RATES = {500, 1000, 2000, 0};
    private static final int PACED_WORKERS = 64;
    private static final int MAX_WORKERS = 32;
    private static final Duration CATCH_UP_LIMIT = Duration.ofMinutes(2);

    public static void main(String[] args) throws Exception {
        Duration stage = Duration.ofSeconds(args.length > 0 ? Integer.parseInt(args[0]) : 15);
        Path data = Files.createTempDirectory("understudy-replbench-");
        BenchClient http = new BenchClient(Duration.ofSeconds(10));
        List<List<String>> rows = new ArrayList<>();
        for (String mode : List.of("async", "sync")) {
            ApplianceConfig config = new ApplianceConfig(data.resolve(mode), "repl-" + mode, 19080, 19081, 19432,
                    ApplianceConfig.firstIds(2), 19181, 19281, 19381);
            try (Pair pair = Pair.start(config, mode)) {
                LoadGenerator warmUp = new LoadGenerator(http, pair.primaryUrl, PACED_WORKERS);
                // JIT and connection pools, not measured. On two busy cores C2 needs well over 5 s to compile the
                // decoding path; with a 5 s warm-up the first (async) phase measured the compiler, not the replicator.
                warmUp.run("warm", 500, Duration.ofSeconds(30));
                waitApplied(http, pair, LagHistogram.parse(http.get(pair.secondaryUrl + "/metrics")), 0);
                for (int rate : RATES) {
                    rows.add(stage(http, pair, mode, rate, stage));
                }
                if (mode.equals("async")) {
                    rows.add(jdbcStage(http, pair, stage));
                }
            }
        }
        Report report = new Report("replication", "Replication benchmark: lag and throughput, async and sync");
        report.line("Each stage: " + stage.toSeconds() + " s of single-row writes; lag = commit on the primary → applied on the"
                        + " secondary (upper bounds of 1 ms buckets); applied/s = transactions applied ÷ (load time + catch-up);"
                        + " catch-up = time after the load ended until the secondary had applied everything.").line("")
                .table(List.of("mode", "offered/s", "acked/s", "failed", "client p50 ms", "client p99 ms", "lag p50 ms", "lag p99 ms",
                        "lag max ms", "applied/s", "catch-up ms"), rows);
        report.publish(System.out, Path.of("bench", "results"));
    }

    private static List<String> stage(BenchClient http, Pair pair, String mode, int rate, Duration stage) throws Exception {
        LagHistogram before = LagHistogram.parse(http.get(pair.secondaryUrl + "/metrics"));
        LoadGenerator load = new LoadGenerator(http, pair.primaryUrl, rate > 0 ? PACED_WORKERS : MAX_WORKERS);
        LoadGenerator.Result r = load.run(mode + "-" + (rate > 0 ? rate : "max"), rate, stage);
        long catchUp = waitApplied(http, pair, before, r.acked());
        LagHistogram lag = LagHistogram.parse(http.get(pair.secondaryUrl + "/metrics")).since(before);
        double appliedPerSecond = lag.applied() * 1e9 / (r.elapsedNanos() + catchUp);
        System.out.printf("%s %s: acked %d (%.0f/s), failed %d, lag p50 %.0f p99 %.0f max %.0f ms, applied %.0f/s, catch-up %d ms%n",
                mode, rate > 0 ? rate + "/s" : "max", r.acked(), r.ackedPerSecond(), r.failed(), lag.percentile(50),
                lag.percentile(99), lag.max(), appliedPerSecond, catchUp / 1_000_000);
        return List.of(mode, rate > 0 ? Integer.toString(rate) : "max", String.format("%.0f", r.ackedPerSecond()),
                Long.toString(r.failed()), Report.ms(r.latency().percentileMs(50)), Report.ms(r.latency().percentileMs(99)),
                Report.ms(lag.percentile(50)), Report.ms(lag.percentile(99)), Report.ms(lag.max()),
                String.format("%.0f", appliedPerSecond), Long.toString(catchUp / 1_000_000));
    }

    /** The replicator alone: writers insert single-row transactions straight into the primary's database. */
    private static List<String> jdbcStage(BenchClient http, Pair pair, Duration stage) throws Exception {
        LagHistogram before = LagHistogram.parse(http.get(pair.secondaryUrl + "/metrics"));
        JdbcLoad.Result r = JdbcLoad.run(pair.primaryDb, 8, stage);
        long catchUp = waitApplied(http, pair, before, r.committed());
        LagHistogram lag = LagHistogram.parse(http.get(pair.secondaryUrl + "/metrics")).since(before);
        double appliedPerSecond = lag.applied() * 1e9 / (r.elapsedNanos() + catchUp);
        System.out.printf("jdbc max: committed %d (%.0f/s), applied %.0f/s, catch-up %d ms%n", r.committed(),
                r.committed() * 1e9 / r.elapsedNanos(), appliedPerSecond, catchUp / 1_000_000);
        return List.of("async, JDBC direct", "max", String.format("%.0f", r.committed() * 1e9 / r.elapsedNanos()), "0", "-", "-",
                Report.ms(lag.percentile(50)), Report.ms(lag.percentile(99)), Report.ms(lag.max()),
                String.format("%.0f", appliedPerSecond), Long.toString(catchUp / 1_000_000));
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
