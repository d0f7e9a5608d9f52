package io.understudy.bench;

import io.understudy.launcher.ApplianceConfig;
import io.understudy.launcher.LocalAppliance;
import io.understudy.launcher.SwitchStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Recovery time as clients see it, on the local appliance in sync replication mode (separate
 * processes, default timings): about 50 keyed writes/s through the switch from four client
 * threads, then {@code runs} times {@code kill -9} of the primary node (the killed node is
 * started again and streams before the next run) and {@code runs} planned switchovers through the
 * admin API. Per run: the client-visible write gap (the longest time between two acknowledged
 * writes, from the last one before the fault to the first one after), failed client requests,
 * and acknowledged writes lost (every acknowledged id is read back at the end).
 *
 * <p>Usage: {@code bench/run.sh rto [runs]}; {@code bench/run.sh switchover [runs]} runs planned switchovers
 * only, once in async and once in sync mode, each right after the previous one is done (the
 * secondary is not waited for to catch up). System properties: {@code bench.mode} (async or sync),
 * {@code bench.kills} (runs of kill -9, default {@code runs}), {@code bench.awaitCaughtUp} (default
 * true), {@code bench.portBase} (default 19000: ports 19080-19433 on 127.0.0.1).
 */
public final class RtoBench {

    private static final int WRITERS = 4;
    private static final int RATE = 50;
    /** Steady load before each fault, so the secondary is attached and the fault hits a stream of writes. */
    private static final Duration SETTLE = Duration.ofSeconds(Long.getLong("bench.settleSeconds", 3));
    private static final Duration RECOVERY_LIMIT = Duration.ofSeconds(30);
    private static final long CAUGHT_UP_LAG_MS = 250;
    private static final Duration CAUGHT_UP_LIMIT = Duration.ofMinutes(3);

    enum Kind { KILL, SWITCHOVER }

    record Run(Kind kind, int number, String from, String to, long faultNanos, long recoveredNanos) {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int kills = Integer.getInteger("bench.kills", runs);
        String mode = System.getProperty("bench.mode", "sync");
        boolean caughtUp = Boolean.parseBoolean(System.getProperty("bench.awaitCaughtUp", "true"));
        Path data = Files.createTempDirectory("understudy-rto-");
        int base = Integer.getInteger("bench.portBase", 19000);
        ApplianceConfig config = new ApplianceConfig(data, "rto", base + 80, base + 81, base + 432, ApplianceConfig.firstIds(2),
                base + 181, base + 281, base + 381);
        String classpath = System.getProperty("understudy.classpath", System.getProperty("java.class.path"));
        // Sync mode: a write is acknowledged once the secondary applied it (RPO 0). With the secondary
        // killed the new primary has none; syncFallback=async lets it acknowledge alone (alarmed) meanwhile.
        Map<String, String> nodeSettings = Map.of("replication.mode", mode, "replication.syncFallback", "async");
        String loadBefore = loadAverage();
        List<Run> done = new ArrayList<>();
        List<RtoLoad.Outcome> outcomes;
        Map<String, String> lost;
        long benchStart = System.nanoTime();
        try (LocalAppliance app = new LocalAppliance(config, classpath, nodeSettings)) {
            app.start(Duration.ofMinutes(5));
            Admin admin = new Admin(config.switchUrl(), Files.readString(config.confDir().resolve("admin-token")).trim());
            try (RtoLoad load = new RtoLoad(config.switchUrl(), WRITERS, RATE, Duration.ofHours(2))) {
                for (int run = 1; run <= kills; run++) {
                    done.add(killPrimary(app, load, run, caughtUp));
                }
                for (int run = 1; run <= runs; run++) {
                    done.add(switchover(app, load, admin, run, caughtUp));
                }
                waitFor(SETTLE);
                load.close();
                outcomes = load.outcomes();
            }
            lost = readBack(config.switchUrl(), outcomes);
        }
        String loadAfter = loadAverage();
        publish(mode, caughtUp, done, outcomes, lost, loadBefore, loadAfter, System.nanoTime() - benchStart);
    }

    private static Run killPrimary(LocalAppliance app, RtoLoad load, int number, boolean caughtUp) throws Exception {
        if (caughtUp) {
            awaitCaughtUp(app);
        } else {
            waitFor(SETTLE);
        }
        SwitchStatus before = app.status().orElseThrow();
        String killed = before.primaryNodeId().orElseThrow();
        Process primary = app.nodeProcess(killed);
        long fault = System.nanoTime();
        primary.destroyForcibly();
        long recovered = awaitRecovery(load, before.primary().epoch(), fault);
        String promoted = app.primaryNodeId().orElse("none");
        System.out.printf("kill %d: %s killed, %s primary, writes flowing after %.0f ms%n", number, killed, promoted,
                (recovered - fault) / 1e6);
        primary.waitFor(30, TimeUnit.SECONDS);
        app.awaitNodeBack(killed, Duration.ofMinutes(3));
        return new Run(Kind.KILL, number, killed, promoted, fault, recovered);
    }

    private static Run switchover(LocalAppliance app, RtoLoad load, Admin admin, int number, boolean caughtUp)
            throws Exception {
        if (caughtUp) {
            awaitCaughtUp(app);
        } else {
            // only the writes' steady flow: the secondary streams but is not waited for to be caught up
            waitFor(SETTLE);
        }
        SwitchStatus before = app.status().orElseThrow();
        String from = before.primaryNodeId().orElseThrow();
        String to = before.healthySecondary().orElseThrow().nodeId();
        long fault = System.nanoTime();
        admin.switchover(to);
        long recovered = awaitRecovery(load, before.primary().epoch(), fault);
        System.out.printf("switchover %d: %s -> %s, writes flowing after %.0f ms%n", number, from, to, (recovered - fault) / 1e6);
        awaitReady(app);
        return new Run(Kind.SWITCHOVER, number, from, app.primaryNodeId().orElse("none"), fault, recovered);
    }

    /** When the first write served in a newer epoch than {@code epoch} was acknowledged. */
    private static long awaitRecovery(RtoLoad load, long epoch, long fault) throws InterruptedException {
        long deadline = fault + RECOVERY_LIMIT.toNanos();
        poll(() -> load.ackedInEpochAbove(epoch, fault) || System.nanoTime() > deadline);
        return load.outcomes().stream().filter(o -> o.acked() && o.epoch() > epoch && o.doneNanos() > fault)
                .mapToLong(RtoLoad.Outcome::doneNanos).min().orElse(deadline);
    }

    private static void awaitReady(LocalAppliance app) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        poll(() -> app.status().map(SwitchStatus::ready).orElse(false) || System.nanoTime() > deadline);
    }

    private static void poll(BooleanSupplier done) throws InterruptedException {
        while (!done.getAsBoolean()) {
            Thread.sleep(5);
        }
    }

    /**
     * Waits until a healthy secondary has kept up (commit-to-applied lag at most {@value #CAUGHT_UP_LAG_MS} ms) for
     * {@link #SETTLE} without a break. A node restarted after the previous kill first replays the writes the primary
     * acknowledged alone meanwhile; killing the primary before that ends measures the catch-up, not the failover.
     */
    private static void awaitCaughtUp(LocalAppliance app) throws InterruptedException {
        long deadline = System.nanoTime() + CAUGHT_UP_LIMIT.toNanos();
        long since = -1;
        while (System.nanoTime() < deadline) {
            boolean caughtUp = app.status().flatMap(SwitchStatus::healthySecondary)
                    .filter(m -> m.lagMs() >= 0 && m.lagMs() <= CAUGHT_UP_LAG_MS).isPresent();
            long now = System.nanoTime();
            if (!caughtUp) {
                since = -1;
            } else if (since < 0) {
                since = now;
            } else if (now - since >= SETTLE.toNanos()) {
                return;
            }
            waitFor(Duration.ofMillis(100));
        }
        System.out.printf("the secondary did not keep up within %s; measuring anyway%n", CAUGHT_UP_LIMIT);
    }

    private static void waitFor(Duration d) throws InterruptedException {
        Thread.sleep(d.toMillis());
    }

    /** Every acknowledged write that does not read back with its body, by id. */
    private static Map<String, String> readBack(String switchUrl, List<RtoLoad.Outcome> outcomes) {
        BenchClient http = new BenchClient(Duration.ofSeconds(10));
        Map<String, String> lost = new java.util.HashMap<>();
        for (RtoLoad.Outcome o : outcomes) {
            if (o.acked()) {
                String body = http.get(switchUrl + "/api/objects/" + o.id());
                if (!o.body().equals(body)) {
                    lost.put(o.id(), String.valueOf(body));
                }
            }
        }
        return lost;
    }

    private static void publish(String mode, boolean caughtUp, List<Run> done, List<RtoLoad.Outcome> outcomes, Map<String, String> lost,
                                String loadBefore, String loadAfter, long benchNanos) throws Exception {
        List<RtoLoad.Outcome> byDone = new ArrayList<>(outcomes);
        byDone.sort(Comparator.comparingLong(RtoLoad.Outcome::doneNanos));
        Report report = new Report("rto", "Recovery time objective: kill -9 of the primary and planned switchover");
        report.line("Local appliance, replication.mode=" + mode + " (syncFallback=async while the secondary is down), default timings;")
                .line("about " + RATE + " keyed PUTs/s through the switch from " + WRITERS + " client threads (request timeout "
                        + RtoLoad.REQUEST_TIMEOUT.toSeconds() + " s). /proc/loadavg before: " + loadBefore + "; after: "
                        + loadAfter + " (other work shares the machine). " + (caughtUp ? "Before each fault the bench waits until the"
                        + " secondary has kept up (lag <= " + CAUGHT_UP_LAG_MS + " ms) for " + SETTLE.toSeconds() + " s."
                        : "Before each fault the bench waits " + SETTLE.toSeconds() + " s of steady writes, not for the"
                        + " secondary to catch up."))
                .line("")
                .line("gap = longest time without an acknowledged write, from the last ack before the fault to the first ack after it;")
                .line("recovered = fault to the first ack served in the new epoch; failed = requests answered non-2xx or not at all")
                .line("between the previous run and this one's recovery + 1 s; lost = acknowledged writes of that span that do not read back.")
                .line("");
        List<List<String>> rows = new ArrayList<>();
        Map<Kind, Samples> gaps = new java.util.EnumMap<>(Kind.class);
        Map<Kind, long[]> totals = new java.util.EnumMap<>(Kind.class);
        long previousEnd = Long.MIN_VALUE;
        for (Run run : done) {
            long from = previousEnd;
            long to = run.recoveredNanos() + TimeUnit.SECONDS.toNanos(1);
            long gap = longestAckGap(byDone, run.faultNanos(), run.recoveredNanos());
            long failed = outcomes.stream().filter(o -> !o.acked() && o.doneNanos() > from && o.doneNanos() <= to).count();
            long lostHere = outcomes.stream().filter(o -> o.acked() && o.doneNanos() > from && o.doneNanos() <= to
                    && lost.containsKey(o.id())).count();
            previousEnd = to;
            gaps.computeIfAbsent(run.kind(), k -> new Samples()).add(gap);
            long[] t = totals.computeIfAbsent(run.kind(), k -> new long[2]);
            t[0] += failed;
            t[1] += lostHere;
            rows.add(List.of(run.kind().name().toLowerCase(), Integer.toString(run.number()), run.from() + " -> " + run.to(),
                    Report.ms(gap / 1e6), Report.ms((run.recoveredNanos() - run.faultNanos()) / 1e6),
                    Long.toString(failed), Long.toString(lostHere)));
        }
        report.table(List.of("kind", "run", "primary", "gap ms", "recovered ms", "failed", "lost"), rows);
        List<List<String>> summary = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            Samples s = gaps.getOrDefault(kind, new Samples());
            long[] t = totals.getOrDefault(kind, new long[2]);
            summary.add(List.of(kind.name().toLowerCase(), Integer.toString(s.count()), Report.ms(s.percentileMs(50)),
                    Report.ms(s.maxMs()), Long.toString(t[0]), Long.toString(t[1])));
        }
        report.table(List.of("kind", "runs", "gap p50 ms", "gap max ms", "failed total", "lost total"), summary);
        long acked = outcomes.stream().filter(RtoLoad.Outcome::acked).count();
        long failedAll = outcomes.stream().filter(o -> !o.acked()).count();
        report.line(String.format("Whole run: %d requests in %.0f s, %d acknowledged, %d failed, %d acknowledged writes lost.",
                outcomes.size(), benchNanos / 1e9, acked, failedAll, lost.size()));
        outcomes.stream().filter(o -> !o.acked()).limit(5).forEach(o -> report.line("- failed " + o.id() + ": "
                + (o.status() < 0 ? "" : o.status() + " ") + o.error()));
        lost.entrySet().stream().limit(5).forEach(e -> report.line("- lost " + e.getKey() + " (reads back " + e.getValue() + ")"));
        report.line("");
        report.line("Goal: kill -9 gap p50 <= 2000 ms, max <= 3000 ms, 0 failed, 0 lost; switchover gap <= 300 ms, 0 failed.");
        report.publish(System.out, Path.of("bench", "results"));
    }

    /** The longest interval between consecutive acknowledgements that spans part of [fault, recovered]. */
    static long longestAckGap(List<RtoLoad.Outcome> byDone, long fault, long recovered) {
        long previous = Long.MIN_VALUE;
        long longest = 0;
        for (RtoLoad.Outcome o : byDone) {
            if (!o.acked()) {
                continue;
            }
            long t = o.doneNanos();
            if (previous != Long.MIN_VALUE && t > fault && previous < recovered) {
                longest = Math.max(longest, t - previous);
            }
            if (t > recovered) {
                break;
            }
            previous = t;
        }
        return longest;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    /** The switch's admin API with its bearer token. */
    private record Admin(String switchUrl, String token) {
        void switchover(String to) throws Exception {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(switchUrl + "/_understudy/switchover")).timeout(Duration.ofSeconds(10))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"to\":\"" + to + "\",\"reason\":\"rto bench\"}",
                            StandardCharsets.UTF_8)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new IllegalStateException("switchover to " + to + " refused: " + r.statusCode() + " " + r.body());
            }
        }
    }
}
