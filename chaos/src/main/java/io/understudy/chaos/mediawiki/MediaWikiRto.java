package io.understudy.chaos.mediawiki;

import io.understudy.chaos.ClusterState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Recovery time of MediaWiki behind the switch as its clients see it, and how far its uploads directory lags on the
 * secondary. On the local appliance (sync replication, default timings) with the wiki installed: first
 * {@value #LAG_UPLOADS} uploads one after another, each timed from its acknowledgement to the file being whole in
 * the secondary's directory; then, under a page writer and an upload writer, {@code runs} times {@code kill -9} of
 * the primary node (its wiki dies with it; the appliance starts the node again, and the next run waits for it) and
 * {@code runs} times SIGSTOP of the primary node for {@code pauseMs} (past its ZooKeeper session), then SIGCONT.
 * Per run: the longest time without an acknowledged write around the fault, the time to the first write
 * acknowledged in the new epoch, failed requests, and acknowledged writes missing at the end (read back from both
 * nodes' databases and directories).
 *
 * <p>Usage: {@code chaos/mediawiki-rto.sh [runs] [pauseMs]}; the table is printed and saved under chaos/results/.
 */
public final class MediaWikiRto {

    private static final int LAG_UPLOADS = 30;
    private static final Duration RECOVERY_LIMIT = Duration.ofMinutes(2);
    private static final Duration SETTLE = Duration.ofSeconds(5);

    enum Fault { KILL, STOP }

    record Run(Fault fault, int number, String from, String to, long faultNanos, long recoveredNanos) {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        long pauseMs = args.length > 1 ? Long.parseLong(args[1]) : 4000;
        long seed = 42;
        String classpath = System.getProperty("understudy.classpath", System.getProperty("java.class.path"));
        Path dir = Files.createTempDirectory("understudy-mediawiki-rto-");
        String loadBefore = loadAverage();
        List<Run> done = new ArrayList<>();
        List<Long> lags;
        List<WikiWrite> writes;
        List<String> missing = new ArrayList<>();
        try (WikiAppliance app = WikiAppliance.start(dir, "mediawiki-rto", classpath)) {
            lags = fileLag(app, seed);
            try (WikiWriter writer = new WikiWriter(app.switchUrl(), "rto", seed, Duration.ofMillis(100), Duration.ofHours(2),
                    dir.resolve("writes.log")).start()) {
                for (int run = 1; run <= runs; run++) {
                    done.add(fault(app, writer, Fault.KILL, run, pauseMs));
                }
                for (int run = 1; run <= runs; run++) {
                    done.add(fault(app, writer, Fault.STOP, run, pauseMs));
                }
                writer.close();
                writes = writer.writes();
            }
            awaitSettled(app);
            for (String id : app.cluster().nodeIds()) {
                try (Connection db = app.wiki().connect(id)) {
                    new WikiReadBack(db, app.wiki().filesDir(id)).missing(writes).forEach(m -> missing.add(id + ": " + m));
                }
            }
        }
        publish(runs, pauseMs, done, writes, missing, lags, loadBefore, loadAverage());
    }

    /** Uploads one after another; for each, acknowledgement to the whole file in the secondary's directory. */
    private static List<Long> fileLag(WikiAppliance app, long seed) throws Exception {
        String secondary = app.other(app.cluster().primary());
        WikiClient client = new WikiClient(app.switchUrl(), WikiWriter.REQUEST_TIMEOUT);
        client.login(WikiSite.ADMIN, WikiSite.ADMIN_PASSWORD);
        Random random = new Random(seed);
        List<Long> lags = new ArrayList<>();
        for (int n = 1; n <= LAG_UPLOADS; n++) {
            String name = "Lag-" + n + ".txt";
            byte[] bytes = new byte[1024 << random.nextInt(10)];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) ('a' + random.nextInt(26));
            }
            WikiClient.Answer a = client.upload(name, bytes, "lag-" + n);
            long acked = System.nanoTime();
            if (a.failure() != null) {
                throw new IllegalStateException("upload " + name + " failed: " + a.failure());
            }
            Path file = WikiReadBack.uploadPath(app.wiki().filesDir(secondary), name);
            long deadline = acked + RECOVERY_LIMIT.toNanos();
            while (!sameContent(file, bytes) && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(2);
            }
            lags.add(System.nanoTime() - acked);
        }
        return lags;
    }

    private static boolean sameContent(Path file, byte[] bytes) {
        try {
            return Files.size(file) == bytes.length && Arrays.equals(Files.readAllBytes(file), bytes);
        } catch (IOException e) {
            return false;
        }
    }

    private static Run fault(WikiAppliance app, WikiWriter writer, Fault fault, int number, long pauseMs) throws Exception {
        awaitSettled(app);
        TimeUnit.NANOSECONDS.sleep(SETTLE.toNanos());
        ClusterState before = app.cluster().state().orElseThrow();
        String from = before.livePrimary().orElseThrow();
        long start = System.nanoTime();
        if (fault == Fault.KILL) {
            Process node = app.appliance().nodeProcess(from);
            node.destroyForcibly();
            node.waitFor(30, TimeUnit.SECONDS);
        } else {
            app.cluster().signal(from, "STOP");
        }
        long deadline = start + RECOVERY_LIMIT.toNanos();
        while (firstAckAbove(writer, before.epoch(), start) < 0 && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(5);
        }
        long recovered = firstAckAbove(writer, before.epoch(), start);
        String to = app.cluster().state().flatMap(ClusterState::livePrimary).orElse("none");
        if (fault == Fault.KILL) {
            app.appliance().awaitNodeBack(from, Duration.ofMinutes(4));
        } else {
            TimeUnit.MILLISECONDS.sleep(Math.max(0, pauseMs - (System.nanoTime() - start) / 1_000_000));
            app.cluster().signal(from, "CONT");
        }
        System.out.printf("%s %d: %s -> %s, writes acknowledged in the new epoch after %.0f ms%n", fault, number, from, to,
                (recovered - start) / 1e6);
        return new Run(fault, number, from, to, start, recovered < 0 ? deadline : recovered);
    }

    private static long firstAckAbove(WikiWriter writer, long epoch, long since) {
        return writer.writes().stream().filter(w -> w.acked() && w.epoch() > epoch && w.doneNanos() > since)
                .mapToLong(WikiWrite::doneNanos).min().orElse(-1);
    }

    private static void awaitSettled(WikiAppliance app) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!app.cluster().state().map(s -> s.settled(2)).orElse(false) && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(200);
        }
    }

    private static void publish(int runs, long pauseMs, List<Run> done, List<WikiWrite> writes, List<String> missing,
                                List<Long> lags, String loadBefore, String loadAfter) throws IOException {
        List<WikiWrite> byDone = new ArrayList<>(writes);
        byDone.sort(Comparator.comparingLong(WikiWrite::doneNanos));
        StringBuilder out = new StringBuilder("# MediaWiki behind the switch: recovery time and file replication lag\n\n")
                .append("MediaWiki 1.39 (Debian), PHP's server with 4 workers per node, sync replication (async while a node is")
                .append(" away), default timings; a page writer and an upload writer through the switch, 100 ms between a")
                .append(" thread's writes. SIGSTOP lasts ").append(pauseMs).append(" ms. /proc/loadavg before: ")
                .append(loadBefore).append("; after: ").append(loadAfter).append(".\n\n")
                .append("gap = longest time without an acknowledged write across the fault; recovered = fault to the first")
                .append(" write acknowledged in the new epoch; failed = requests not acknowledged from the previous run to this")
                .append(" one's recovery + 1 s.\n\n| fault | run | primary | gap ms | recovered ms | failed |\n|---|---|---|---|---|---|\n");
        long previousEnd = Long.MIN_VALUE;
        for (Run run : done) {
            long from = previousEnd;
            long to = run.recoveredNanos() + TimeUnit.SECONDS.toNanos(1);
            long failed = writes.stream().filter(w -> !w.acked() && w.doneNanos() > from && w.doneNanos() <= to).count();
            previousEnd = to;
            out.append(String.format("| %s | %d | %s -> %s | %.0f | %.0f | %d |%n", run.fault(), run.number(), run.from(),
                    run.to(), longestGap(byDone, run) / 1e6, (run.recoveredNanos() - run.faultNanos()) / 1e6, failed));
        }
        out.append("\n| fault | runs | gap p50 ms | gap max ms |\n|---|---|---|---|\n");
        for (Fault f : Fault.values()) {
            List<Long> gaps = done.stream().filter(r -> r.fault() == f).map(r -> longestGap(byDone, r)).sorted().toList();
            out.append(String.format("| %s | %d | %.0f | %.0f |%n", f, gaps.size(), percentile(gaps, 50) / 1e6,
                    percentile(gaps, 100) / 1e6));
        }
        List<Long> sortedLags = lags.stream().sorted().toList();
        out.append(String.format("%nWhole run: %d writes, %d acknowledged, %d failed, %d acknowledged missing on a node%s.%n",
                        writes.size(), writes.stream().filter(WikiWrite::acked).count(),
                        writes.stream().filter(w -> !w.acked()).count(), missing.size(),
                        missing.isEmpty() ? "" : " (first: " + missing.get(0) + ")"))
                .append(String.format("%nUploads directory, acknowledged upload -> whole file on the secondary (%d uploads of"
                                + " 1 KiB-512 KiB, one at a time): p50 %.1f ms, p90 %.1f ms, max %.1f ms.%n", sortedLags.size(),
                        percentile(sortedLags, 50) / 1e6, percentile(sortedLags, 90) / 1e6, percentile(sortedLags, 100) / 1e6));
        writes.stream().filter(w -> !w.acked()).limit(5).forEach(w -> out.append("- failed: ").append(w.logLine()).append('\n'));
        System.out.println(out);
        Path results = Path.of("chaos", "results");
        Files.createDirectories(results);
        Path file = results.resolve("mediawiki-rto-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".md");
        Files.writeString(file, out, StandardCharsets.UTF_8);
        System.out.println("saved " + file);
    }

    /** The longest interval between consecutive acknowledgements that spans part of [fault, recovered]. */
    static long longestGap(List<WikiWrite> byDone, Run run) {
        long previous = Long.MIN_VALUE;
        long longest = 0;
        for (WikiWrite w : byDone) {
            if (!w.acked()) {
                continue;
            }
            if (previous != Long.MIN_VALUE && w.doneNanos() > run.faultNanos() && previous < run.recoveredNanos()) {
                longest = Math.max(longest, w.doneNanos() - previous);
            }
            if (w.doneNanos() > run.recoveredNanos()) {
                break;
            }
            previous = w.doneNanos();
        }
        return longest;
    }

    private static double percentile(List<Long> sorted, int p) {
        return sorted.isEmpty() ? 0 : sorted.get(Math.max(0, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
