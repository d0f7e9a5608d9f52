package io.understudy.bench;

import io.understudy.launcher.ApplianceConfig;
import io.understudy.launcher.ChildConfigs;
import io.understudy.launcher.ChildProcess;
import io.understudy.launcher.LocalAppliance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Throughput and latency of the switch against nginx and HAProxy, all proxying to the same
 * primary node of the real local appliance, plus that node directly; same wrk load for each, in
 * one run, rounds interleaved so drift hits every target alike.
 *
 * <p>Fairness: the switch under test is a switch process of its own (started here, against the
 * appliance's ZooKeeper), configured like the other proxies: no access log (the appliance's own
 * switch logs every request, and the appliance echoes its log), as many IO threads as nginx has
 * workers and HAProxy threads. With {@code -Dbench.pin=true} (the default on 2+ cores) the
 * appliance (node, PostgreSQL, ZooKeeper) runs on CPU 0 and the proxy under test shares CPU 1
 * with wrk, so no proxy competes with the node for a core; the node is measured the same way.
 * Every target gets the same warm-up (a JVM needs it; the others do not mind). A second switch runs
 * "as shipped": the command line and configuration {@code understudy local} gives its own switch
 * (access log on, default IO threads), only on another port, pinned like the other proxies.
 *
 * <p>Usage: {@code bench/run.sh switch [seconds] [connections] [rounds]}. System properties:
 * {@code bench.pin}, {@code bench.warmup} (seconds), {@code bench.pacedRounds}, {@code bench.switchJvmArgs} (extra JVM
 * options for the switch under test, e.g. a JFR recording), {@code bench.shippedJvmArgs} (the same for the switch as shipped), {@code bench.keepData} (keep the temp dir). Uses ports 17080-17433 (other benchmarks use 18xxx and 19xxx).
 */
public final class SwitchBench {

    private static final String PATH = "/api/objects/bench-doc";
    /** The appliance gives its switch the same heap. */
    private static final int SWITCH_HEAP_MB = 160;
    private static final int SWITCH_PORT = 17092;
    private static final int SHIPPED_SWITCH_PORT = 17093;
    private static final int WARMUP_RUNS = 4;
    /** The paced rounds' target rate, as a share of the node's direct flat-out rate. */
    private static final double PACED_SHARE = 0.6;
    /** USER_HZ of /proc/<pid>/stat on Linux. */
    private static final double TICKS_PER_SECOND = 100;

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int connections = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        int pacedRounds = Integer.getInteger("bench.pacedRounds", 6);
        boolean pin = Boolean.parseBoolean(System.getProperty("bench.pin",
                Boolean.toString(Runtime.getRuntime().availableProcessors() >= 2)));
        int warmup = Integer.getInteger("bench.warmup", 20);
        // pinned, each proxy has one core: one worker / thread / IO thread each, and one wrk thread
        int threads = pin ? 1 : 2;
        ProxyRunner.ensureInstalled("/usr/bin/wrk", "wrk");
        ProxyRunner.ensureInstalled("/usr/sbin/nginx", "nginx");
        ProxyRunner.ensureInstalled("/usr/sbin/haproxy", "haproxy");

        Path data = Files.createTempDirectory("understudy-switchbench-");
        Path proxies = Files.createDirectories(data.resolve("proxies"));
        ApplianceConfig config = new ApplianceConfig(data, "bench", 17080, 17081, 17432, ApplianceConfig.firstIds(2), 17181, 17281, 17381);
        String classpath = System.getProperty("understudy.classpath", System.getProperty("java.class.path"));
        BenchClient http = new BenchClient(Duration.ofSeconds(5));
        Report report = new Report("switch", "Switch vs nginx vs HAProxy (wrk, same node)");
        Map<String, List<ProxyRunner.WrkResult>> results = new LinkedHashMap<>();
        Map<String, List<ProxyRunner.WrkResult>> paced = new LinkedHashMap<>();
        // the JIT compilers' CPU ms in each paced round, for the switches
        Map<String, List<Double>> pacedJitMs = new LinkedHashMap<>();
        int pauseMs = 0;
        Map<String, Double> rss = new LinkedHashMap<>();
        Map<String, List<Double>> cpuPerRequest = new LinkedHashMap<>();
        Map<String, Process> processes = new LinkedHashMap<>();
        String loadBefore = Files.readString(Path.of("/proc/loadavg")).trim();
        List<Process> started = new ArrayList<>();
        String loadFlat = "-";
        String loadPaced = "-";
        try (LocalAppliance app = new LocalAppliance(config, classpath)) {
            app.start(Duration.ofMinutes(5));
            String primary = app.primaryNodeId().orElseThrow();
            String nodeUrl = app.nodeApiUrl(primary);
            int nodePort = Integer.parseInt(nodeUrl.substring(nodeUrl.lastIndexOf(':') + 1));
            if (http.put(app.switchUrl() + PATH, "{\"title\":\"bench\",\"n\":1}") / 100 != 2) {
                throw new IllegalStateException("cannot write the benchmark document through the switch");
            }
            Process benchSwitch = startSwitch(config.clusterName(), config.zookeeperConnect(), SWITCH_PORT, classpath, proxies,
                    threads);
            started.add(benchSwitch);
            Process shippedSwitch = startShippedSwitch(config, SHIPPED_SWITCH_PORT, classpath, proxies);
            started.add(shippedSwitch);
            Process nginx = ProxyRunner.nginx(proxies, 17090, nodePort, threads);
            started.add(nginx);
            Process haproxy = ProxyRunner.haproxy(proxies, 17091, nodePort, threads);
            started.add(haproxy);
            Map<String, String> targets = new LinkedHashMap<>();
            targets.put("node direct", nodeUrl + PATH);
            targets.put("switch", "http://127.0.0.1:" + SWITCH_PORT + PATH);
            targets.put("switch as shipped", "http://127.0.0.1:" + SHIPPED_SWITCH_PORT + PATH);
            targets.put("nginx", "http://127.0.0.1:17090" + PATH);
            targets.put("haproxy", "http://127.0.0.1:17091" + PATH);
            for (Map.Entry<String, String> target : targets.entrySet()) {
                awaitAnswer(http, target.getKey(), target.getValue(), Duration.ofSeconds(60));
            }
            String wrkCpu = null;
            if (pin) {
                List<Long> proxyPids = new ArrayList<>();
                for (Process p : started) {
                    proxyPids.add(p.pid());
                    p.descendants().forEach(d -> proxyPids.add(d.pid()));
                }
                pinTree(ProcessHandle.current(), "0", proxyPids);
                for (long pid : proxyPids) {
                    pinOne(pid, "1");
                }
                wrkCpu = "1";
            }
            processes.put("switch", benchSwitch);
            processes.put("switch as shipped", shippedSwitch);
            processes.put("nginx", nginx);
            processes.put("haproxy", haproxy);
            for (Map.Entry<String, String> target : targets.entrySet()) {
                // several runs, so the JIT also sees new connections before it compiles: one long run
                // lets C2 drop the connection set-up paths, and the first measured round then pays
                // for deoptimising and recompiling them
                for (int run = 0; run < WARMUP_RUNS; run++) {
                    ProxyRunner.wrk(wrkCpu, target.getValue(), threads, connections, Math.max(1, warmup / WARMUP_RUNS), null);
                }
                results.put(target.getKey(), new ArrayList<>());
                cpuPerRequest.put(target.getKey(), new ArrayList<>());
            }
            for (int round = 0; round < rounds; round++) {
                for (Map.Entry<String, String> target : targets.entrySet()) {
                    Process proxy = processes.get(target.getKey());
                    long cpuBefore = proxy == null ? 0 : cpuTicks(proxy.toHandle());
                    ProxyRunner.WrkResult result = ProxyRunner.wrk(wrkCpu, target.getValue(), threads, connections, seconds, null);
                    results.get(target.getKey()).add(result);
                    if (proxy != null) {
                        cpuPerRequest.get(target.getKey()).add((cpuTicks(proxy.toHandle()) - cpuBefore) * 1e6 / TICKS_PER_SECOND
                                / Math.max(1, result.requests()));
                    }
                }
            }
            loadFlat = Files.readString(Path.of("/proc/loadavg")).trim();
            // Latency below saturation: flat out, every target's p99 is the node's queue (tens of ms,
            // moving with the node's GC and PostgreSQL), which hides what a proxy adds. Each wrk
            // connection pauses between requests so the node runs at about PACED_SHARE of what it served
            // directly.
            double capacity = median(results.get("node direct"), ProxyRunner.WrkResult::rps);
            pauseMs = Math.max(1, (int) Math.round(connections * 1000.0 / (PACED_SHARE * capacity)) - 1);
            Path pace = ProxyRunner.paceScript(proxies, pauseMs);
            for (String target : targets.keySet()) {
                paced.put(target, new ArrayList<>());
            }
            for (int round = 0; round < pacedRounds; round++) {
                for (Map.Entry<String, String> target : targets.entrySet()) {
                    Process proxy = processes.get(target.getKey());
                    boolean jvm = target.getKey().startsWith("switch");
                    long jitBefore = jvm ? jitNanos(proxy) : 0;
                    paced.get(target.getKey()).add(ProxyRunner.wrk(wrkCpu, target.getValue(), threads, connections, seconds, pace));
                    if (jvm) {
                        pacedJitMs.computeIfAbsent(target.getKey(), k -> new ArrayList<>()).add((jitNanos(proxy) - jitBefore) / 1e6);
                    }
                }
            }
            loadPaced = Files.readString(Path.of("/proc/loadavg")).trim();
            rss.put("switch", ProxyRunner.rssMb(benchSwitch.pid()));
            rss.put("switch as shipped", ProxyRunner.rssMb(shippedSwitch.pid()));
            rss.put("nginx", ProxyRunner.rssMb(nginx.pid()));
            rss.put("haproxy", ProxyRunner.rssMb(haproxy.pid()));
        } finally {
            for (Process p : started) {
                p.destroy();
                p.waitFor();
            }
        }
        if (Boolean.getBoolean("bench.keepData")) {
            System.out.println("kept " + data + " (logs of the switch under test and the proxies in proxies/)");
        } else {
            deleteTree(data);
        }
        String loadAfter = Files.readString(Path.of("/proc/loadavg")).trim();
        report.line("wrk -t" + threads + " -c" + connections + " -d" + seconds + "s after a " + warmup + " s warm-up per target (" + WARMUP_RUNS + " wrk runs), "
                + rounds + " interleaved rounds per target flat out, then " + pacedRounds + " paced, GET " + PATH
                + " (one PostgreSQL read per request on the node). Medians of the rounds.").line("");
        report.line(pin ? "Pinned: appliance (node, PostgreSQL, ZooKeeper) on CPU 0; wrk and the proxy under test on CPU 1; "
                + "nginx 1 worker, HAProxy 1 thread, switch 1 IO thread, all keep-alive to the node."
                : "Not pinned: nginx 2 workers, HAProxy 2 threads, switch 2 IO threads, all keep-alive to the node.").line("");
        report.line("Switch under test: its own process, access log off, -Xmx" + SWITCH_HEAP_MB + "m -XX:+UseSerialGC -XX:MetaspaceSize=128m "
                + System.getProperty("bench.switchJvmArgs", "")).line("");
        report.line("/proc/loadavg before: " + loadBefore + "; after: " + loadAfter + " (other work on the machine shares both cores).")
                .line("");
        report.line("Flat out (throughput); /proc/loadavg at its end: " + loadFlat).line("");
        List<List<String>> rows = new ArrayList<>();
        for (Map.Entry<String, List<ProxyRunner.WrkResult>> entry : results.entrySet()) {
            List<ProxyRunner.WrkResult> r = entry.getValue();
            List<Double> cpu = cpuPerRequest.get(entry.getKey());
            double cpuMedian = cpu.isEmpty() ? Double.NaN : medianOf(cpu);
            rows.add(List.of(entry.getKey(), String.format("%.0f", median(r, ProxyRunner.WrkResult::rps)),
                    String.format("%.3f", median(r, ProxyRunner.WrkResult::p50Ms)),
                    String.format("%.3f", median(r, ProxyRunner.WrkResult::p99Ms)),
                    String.format("%.2f", pairedRatio(r, results.get("nginx"))),
                    spread(r, results.get("nginx")),
                    Double.isNaN(cpuMedian) ? "-" : String.format("%.0f", cpuMedian),
                    rss.containsKey(entry.getKey()) ? String.format("%.0f", rss.get(entry.getKey())) : "-", Long.toString(errors(r))));
        }
        report.table(List.of("target", "rps", "p50 ms", "p99 ms", "rps / nginx", "rps / nginx, rounds",
                "proxy CPU µs / request", "RSS MB", "errors"), rows);
        report.line("rps / nginx: the median over the rounds of this target's rps over nginx's in the same round (the node's "
                + "own rate drifts by a third between rounds, and pairing cancels most of it); \"rounds\" gives the lowest and "
                + "highest of those ratios.");
        report.line("Proxy CPU / request: user + system CPU time of the proxy's processes during a round over the requests "
                + "wrk completed in it; unlike rps and p99 it hardly depends on what else the machine is running.").line("");
        report.line("Paced (latency below saturation): each connection pauses " + pauseMs + " ms between requests, about "
                + Math.round(PACED_SHARE * 100) + " % of the node's direct flat-out rate; " + pacedRounds
                + " interleaved rounds; /proc/loadavg at their end: " + loadPaced).line("");
        List<List<String>> pacedRows = new ArrayList<>();
        for (Map.Entry<String, List<ProxyRunner.WrkResult>> entry : paced.entrySet()) {
            List<ProxyRunner.WrkResult> r = entry.getValue();
            pacedRows.add(List.of(entry.getKey(), String.format("%.0f", median(r, ProxyRunner.WrkResult::rps)),
                    String.format("%.3f", median(r, ProxyRunner.WrkResult::p50Ms)),
                    String.format("%.3f", median(r, ProxyRunner.WrkResult::p99Ms)),
                    String.format("%+.3f", pairedDifference(r, paced.get("node direct"), ProxyRunner.WrkResult::p50Ms)),
                    String.format("%+.3f", pairedDifference(r, paced.get("node direct"), ProxyRunner.WrkResult::p99Ms)),
                    Long.toString(errors(r))));
        }
        report.table(List.of("target", "rps", "p50 ms", "p99 ms", "p50 added vs direct ms", "p99 added vs direct ms", "errors"),
                pacedRows);
        report.line("Added: the median over the rounds of this target's figure minus the node's in the same round.").line("");
        report.line("Goal: switch rps >= nginx, added p99 over direct <= nginx's + 0.3 ms and <= 1 ms, CPU per request "
                + "<= 1.2 x nginx's, as shipped within 10 % of the tuned switch, RSS <= 200 MB.").line("");
        report.line("Every round, flat out (rps / p50 / p99 ms):");
        results.forEach((target, r) -> report.line("- " + target + ": " + rounds(r)));
        report.line("").line("Every round, paced (rps / p50 / p99 ms):");
        paced.forEach((target, r) -> report.line("- " + target + ": " + rounds(r)));
        report.line("").line("The switches' JIT compilers in each paced round (CPU ms; they share the core with wrk and the IO thread):");
        pacedJitMs.forEach((target, ms) -> report.line("- " + target + ": "
                + String.join(", ", ms.stream().map(v -> String.format("%.0f", v)).toList())));
        report.publish(System.out, Path.of("bench", "results"));
    }

    /** A switch of its own against the appliance's ZooKeeper, configured like the other proxies. */
    static Process startSwitch(String clusterName, String zookeeperConnect, int port, String classpath, Path dir,
            int ioThreads) throws IOException {
        return startSwitch(clusterName, zookeeperConnect, port, classpath, dir, ioThreads,
                System.getProperty("bench.switchJvmArgs", ""));
    }

    /** @param extraJvmArgs JVM options added to the switch's, separated by spaces */
    static Process startSwitch(String clusterName, String zookeeperConnect, int port, String classpath, Path dir,
            int ioThreads, String extraJvmArgs) throws IOException {
        Path file = dir.resolve("switch.properties");
        Files.writeString(file, String.join("\n", "cluster.name=" + clusterName,
                "zookeeper.connect=" + zookeeperConnect, "switch.host=127.0.0.1", "switch.port=" + port,
                "switch.ioThreads=" + ioThreads, "switch.accessLog=false", ""));
        List<String> command = new ArrayList<>(ChildProcess.javaCommand(ChildProcess.currentJava(), classpath, SWITCH_HEAP_MB,
                "bench-switch", List.of("switch", "--config", file.toString(), "--exit-with-parent")));
        String extra = extraJvmArgs.trim();
        if (!extra.isEmpty()) {
            command.addAll(1, List.of(extra.split("\\s+")));
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("bench-switch.log").toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("UNDERSTUDY_"));
        return builder.start();
    }

    /**
     * A switch started the way the local appliance starts its own: the same configuration keys and
     * values ({@link ChildConfigs#failoverSwitch}) and JVM command line, on {@code port}; its output goes
     * to a file, as the appliance's switch writes its log file.
     */
    static Process startShippedSwitch(ApplianceConfig config, int port, String classpath, Path dir) throws IOException {
        String adminToken = Files.readString(config.confDir().resolve("admin-token")).trim();
        return startShippedSwitch(ChildConfigs.failoverSwitch(config, adminToken), port, classpath, dir);
    }

    /**
     * The shipped switch of {@code shipped} ({@link ChildConfigs#failoverSwitch}'s keys and values) on
     * {@code port}, with {@code -Dbench.shippedJvmArgs} added to the appliance's JVM command line (a JFR
     * recording, for profiling; empty by default).
     */
    static Process startShippedSwitch(Map<String, String> shipped, int port, String classpath, Path dir) throws IOException {
        Map<String, String> values = new LinkedHashMap<>(shipped);
        values.put("switch.port", Integer.toString(port));
        Path file = dir.resolve("shipped-switch.properties");
        Files.writeString(file, ChildConfigs.render("as the local appliance's switch, on another port", values));
        List<String> command = new ArrayList<>(ChildProcess.javaCommand(ChildProcess.currentJava(), classpath, SWITCH_HEAP_MB,
                "switch", List.of("switch", "--config", file.toString(), "--exit-with-parent")));
        String extra = System.getProperty("bench.shippedJvmArgs", "").trim();
        if (!extra.isEmpty()) {
            command.addAll(1, List.of(extra.split("\\s+")));
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("shipped-switch.log").toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("UNDERSTUDY_"));
        return builder.start();
    }

    /** The run's data (PostgreSQL, ZooKeeper, logs: tens of MB a run); the appliance is stopped by now. */
    static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** CPU time (user + system, in ticks) of {@code root} and its descendants so far. */
    static long cpuTicks(ProcessHandle root) throws IOException {
        long ticks = 0;
        List<ProcessHandle> tree = new ArrayList<>(List.of(root));
        tree.addAll(root.descendants().toList());
        for (ProcessHandle p : tree) {
            Path stat = Path.of("/proc", Long.toString(p.pid()), "stat");
            if (Files.exists(stat)) {
                String text = Files.readString(stat);
                // fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15
                String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
                ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            }
        }
        return ticks;
    }

    /**
     * CPU time so far, in ns, of the JIT compiler threads of a JVM ({@code /proc/<pid>/task/<tid>/schedstat}); 0 for a
     * process that has none (nginx, HAProxy). A proxy pinned to the core wrk uses competes with its own compilers there,
     * and a round in which they ran for hundreds of milliseconds shows it in its p99.
     */
    static long jitNanos(Process process) throws IOException {
        return threadNanos(process, name -> name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre"));
    }

    /** CPU time so far, in ns, of the threads of {@code process} whose name ({@code comm}, 15 characters) is {@code named}. */
    static long threadNanos(Process process, java.util.function.Predicate<String> named) throws IOException {
        long nanos = 0;
        try (var tasks = Files.list(Path.of("/proc", Long.toString(process.pid()), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    if (named.test(Files.readString(task.resolve("comm")))) {
                        nanos += schedNanos(task.resolve("schedstat"));
                    }
                } catch (java.nio.file.NoSuchFileException threadEnded) {
                    // the thread ended between the listing and the read
                }
            }
        }
        return nanos;
    }

    /** The CPU time in ns a {@code schedstat} file (a process's or a thread's) states; 0 once it is gone. */
    static long schedNanos(Path schedstat) throws IOException {
        return Files.exists(schedstat) ? Long.parseLong(Files.readString(schedstat).trim().split(" ")[0]) : 0;
    }

    /** Polls until {@code url} answers 200: a start-up wait in a benchmark program, not a test. */
    static void awaitAnswer(BenchClient http, String name, String url, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (http.get(url) == null) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " does not answer " + url + " within " + timeout);
            }
            Thread.sleep(200);
        }
    }

    /** Pins {@code root} and its descendants (all threads) to {@code cpus}, except the pids in {@code except}. */
    private static void pinTree(ProcessHandle root, String cpus, List<Long> except) throws IOException, InterruptedException {
        pinOne(root.pid(), cpus);
        for (ProcessHandle p : root.descendants().toList()) {
            if (!except.contains(p.pid())) {
                pinOne(p.pid(), cpus);
            }
        }
    }

    static void pinOne(long pid, String cpus) throws IOException, InterruptedException {
        if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            ProxyRunner.run(List.of("taskset", "-a", "-c", "-p", cpus, Long.toString(pid)));
        }
    }

    private static double median(List<ProxyRunner.WrkResult> results, ToDoubleFunction<ProxyRunner.WrkResult> f) {
        return medianOf(results.stream().map(f::applyAsDouble).toList());
    }

    /** The middle value (the mean of the two middle ones for an even count), NaN for none. */
    static double medianOf(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /** Round by round rps of {@code target} over that of {@code reference}. */
    private static List<Double> ratios(List<ProxyRunner.WrkResult> target, List<ProxyRunner.WrkResult> reference) {
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < Math.min(target.size(), reference.size()); i++) {
            ratios.add(target.get(i).rps() / reference.get(i).rps());
        }
        return ratios;
    }

    private static double pairedRatio(List<ProxyRunner.WrkResult> target, List<ProxyRunner.WrkResult> reference) {
        return medianOf(ratios(target, reference));
    }

    private static String spread(List<ProxyRunner.WrkResult> target, List<ProxyRunner.WrkResult> reference) {
        List<Double> ratios = ratios(target, reference);
        return String.format("%.2f-%.2f", ratios.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN),
                ratios.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN));
    }

    /** The median over the rounds of {@code f} of {@code target} minus {@code f} of {@code reference} in the same round. */
    private static double pairedDifference(List<ProxyRunner.WrkResult> target, List<ProxyRunner.WrkResult> reference,
            ToDoubleFunction<ProxyRunner.WrkResult> f) {
        List<Double> differences = new ArrayList<>();
        for (int i = 0; i < Math.min(target.size(), reference.size()); i++) {
            differences.add(f.applyAsDouble(target.get(i)) - f.applyAsDouble(reference.get(i)));
        }
        return medianOf(differences);
    }

    private static long errors(List<ProxyRunner.WrkResult> results) {
        return results.stream().mapToLong(ProxyRunner.WrkResult::errors).sum();
    }

    private static String rounds(List<ProxyRunner.WrkResult> results) {
        return String.join(", ", results.stream().map(w -> String.format("%.0f / %.3f / %.3f", w.rps(), w.p50Ms(), w.p99Ms()))
                .toList());
    }
}
