package io.understudy.bench;

import io.understudy.launcher.ApplianceConfig;
import io.understudy.launcher.LocalAppliance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The walking skeleton's figures, on the real local appliance (separate processes):
 * start-up time (cold and warm), commit-to-visible-on-secondary lag at a light load, and the
 * client-visible write gap after {@code kill -9} of the primary node, over several runs.
 *
 * <p>Usage: {@code bench/run.sh failover [runs]}. Uses ports 18080-18433 on 127.0.0.1.
 */
public final class FailoverBench {

    private static final int LAG_SAMPLES = 300;
    private static final long LAG_PACE_MS = 20;          // 50 writes/s
    private static final long WRITE_PACE_MS = 20;        // the failover writer's rate, 50 writes/s
    private static final Duration RUN_LIMIT = Duration.ofSeconds(60);

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Path data = Files.createTempDirectory("understudy-bench-");
        ApplianceConfig config = new ApplianceConfig(data, "bench", 18080, 18081, 18432, ApplianceConfig.firstIds(2), 18181, 18281, 18381);
        String classpath = System.getProperty("understudy.classpath", System.getProperty("java.class.path"));
        // Longer than the switch's hold timeout (5 s): a held request is the switch hiding the
        // failover, and the client must wait for it like a real one would, not count it failed.
        BenchClient http = new BenchClient(Duration.ofSeconds(10));
        Report report = new Report("failover", "Failover benchmark (walking skeleton)");

        Duration cold;
        Samples lag = new Samples();
        List<List<String>> runRows = new ArrayList<>();
        Samples gaps = new Samples();
        long totalLost = 0;
        try (LocalAppliance app = new LocalAppliance(config, classpath)) {
            app.start(Duration.ofMinutes(5));
            cold = app.startupTime();
            measureLag(app, http, lag);
            for (int run = 1; run <= runs; run++) {
                RunResult r = killPrimaryOnce(app, http, run);
                gaps.add(r.gapNanos());
                totalLost += r.lost();
                runRows.add(List.of(Integer.toString(run), r.killed(), r.promoted(), Report.ms(r.gapNanos() / 1e6),
                        Integer.toString(r.failed()), Integer.toString(r.acked()), Long.toString(r.lost())));
                app.awaitNodeBack(r.killed(), Duration.ofMinutes(2));
            }
        }
        Duration warm;
        try (LocalAppliance again = new LocalAppliance(config, classpath)) {
            again.start(Duration.ofMinutes(5));
            warm = again.startupTime();
        }

        report.line("## Start-up (launcher start to primary + healthy secondary seen through the switch)").line("")
                .table(List.of("start", "ms"), List.of(List.of("cold (initdb, first snapshot)", Long.toString(cold.toMillis())),
                        List.of("warm (same data dir)", Long.toString(warm.toMillis()))));
        report.line("## Replication lag, " + LAG_SAMPLES + " writes at " + (1000 / LAG_PACE_MS)
                        + "/s through the switch: PUT acknowledged → readable on the secondary's own address").line("")
                .table(List.of("samples", "p50 ms", "p99 ms", "max ms"), List.of(List.of(Integer.toString(lag.count()),
                        Report.ms(lag.percentileMs(50)), Report.ms(lag.percentileMs(99)), Report.ms(lag.maxMs()))));
        report.line("## kill -9 of the primary node under " + (1000 / WRITE_PACE_MS) + " writes/s through the switch").line("")
                .line("gap = kill → first successful write sent after the kill; failed = writes answered with an error or not at all;")
                .line("lost = acknowledged writes not readable afterwards.").line("")
                .table(List.of("run", "killed", "promoted", "gap ms", "failed", "acked", "lost"), runRows)
                .table(List.of("runs", "gap p50 ms", "gap min ms", "gap max ms", "lost total"), List.of(List.of(
                        Integer.toString(gaps.count()), Report.ms(gaps.percentileMs(50)), Report.ms(gaps.minMs()),
                        Report.ms(gaps.maxMs()), Long.toString(totalLost))));
        report.publish(System.out, Path.of("bench", "results"));
    }

    private static void measureLag(LocalAppliance app, BenchClient http, Samples lag) throws InterruptedException {
        String primary = app.primaryNodeId().orElseThrow();
        String secondaryUrl = app.nodeApiUrl(primary.equals("a") ? "b" : "a");
        for (int i = 0; i < LAG_SAMPLES; i++) {
            String id = "lag-" + i;
            String body = "{\"i\":" + i + "}";
            if (http.put(app.switchUrl() + "/api/objects/" + id, body) / 100 != 2) {
                continue;
            }
            long acked = System.nanoTime();
            long deadline = acked + Duration.ofSeconds(5).toNanos();
            while (System.nanoTime() < deadline) {
                if (body.equals(http.get(secondaryUrl + "/api/objects/" + id))) {
                    lag.add(System.nanoTime() - acked);
                    break;
                }
            }
            Thread.sleep(LAG_PACE_MS);
        }
    }

    record RunResult(String killed, String promoted, long gapNanos, int failed, int acked, long lost) {
    }

    /** One run: steady writes, kill -9 the primary, wait for the first write that succeeds after it. */
    private static RunResult killPrimaryOnce(LocalAppliance app, BenchClient http, int run) throws Exception {
        String killed = app.primaryNodeId().orElseThrow();
        Map<String, String> acked = new ConcurrentHashMap<>();
        AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
        AtomicLong firstSuccessAfterKill = new AtomicLong(Long.MAX_VALUE);
        AtomicInteger failed = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        long deadline = System.nanoTime() + RUN_LIMIT.toNanos();
        Thread writer = new Thread(() -> {
            for (int n = 0; !stop.get() && System.nanoTime() < deadline; n++) {
                String id = "run" + run + "-" + n;
                String body = "{\"run\":" + run + ",\"n\":" + n + "}";
                long sent = System.nanoTime();
                int status = http.put(app.switchUrl() + "/api/objects/" + id, body);
                long done = System.nanoTime();
                if (status / 100 == 2) {
                    acked.put(id, body);
                    if (sent >= killedAt.get()) {
                        firstSuccessAfterKill.compareAndSet(Long.MAX_VALUE, done);
                    }
                } else if (done >= killedAt.get()) {
                    failed.incrementAndGet();
                }
                try {
                    Thread.sleep(WRITE_PACE_MS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-writer");
        writer.start();
        Thread.sleep(1000);
        Process primary = app.nodeProcess(killed);
        killedAt.set(System.nanoTime());
        primary.destroyForcibly();
        while (firstSuccessAfterKill.get() == Long.MAX_VALUE && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        Thread.sleep(500);
        stop.set(true);
        writer.join();
        long lost = acked.entrySet().stream()
                .filter(e -> !e.getValue().equals(http.get(app.switchUrl() + "/api/objects/" + e.getKey())))
                .count();
        long gap = firstSuccessAfterKill.get() == Long.MAX_VALUE ? RUN_LIMIT.toNanos() : firstSuccessAfterKill.get() - killedAt.get();
        return new RunResult(killed, app.primaryNodeId().orElse("none"), gap, failed.get(), acked.size(), lost);
    }
}
