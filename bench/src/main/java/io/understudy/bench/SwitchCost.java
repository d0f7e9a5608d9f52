package io.understudy.bench;

import io.understudy.cluster.ClusterJson;
import io.understudy.cluster.MemberRecord;
import io.understudy.cluster.PrimaryRecord;
import io.understudy.cluster.Role;
import io.understudy.cluster.zk.ZkPaths;
import io.understudy.launcher.ApplianceConfig;
import io.understudy.launcher.ChildConfigs;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;

/**
 * CPU per request of the switch alone, next to nginx's, both proxying to the same static nginx
 * "node": a quick, low-noise figure for tuning the switch's own code (the full {@link SwitchBench}
 * needs the whole appliance, and its node's PostgreSQL read dominates the timings).
 *
 * <p>A ZooKeeper server runs in this JVM with the member and {@code /primary} znodes a primary
 * node would write; the backend is nginx answering a fixed JSON document (same body and headers
 * as the node's {@code GET /api/objects/bench-doc}). Pinned like {@link SwitchBench}: this JVM and
 * the backend on CPU 0, wrk and the proxy under test on CPU 1, so the proxy and wrk saturate CPU 1
 * and the proxy's CPU time per request is what decides its rps there.
 *
 * <p>Usage: {@code bench/run.sh switch-cost [seconds] [connections] [rounds]}; {@code
 * -Dbench.switchJvmArgs} as in SwitchBench; {@code -Dbench.delayMs} (default 8) paces each wrk
 * connection, 0 runs flat out; {@code -Dbench.serve=true} starts everything and waits
 * for Enter instead of measuring (for profiling by hand); {@code -Dbench.baseline=<jar>} also measures the switch of
 * another build (e.g. {@code git worktree} of main, packaged) in the same rounds, with the JVM
 * options of {@code -Dbench.baselineJvmArgs} (not those of {@code bench.switchJvmArgs}). A third switch runs "as
 * shipped" ({@link SwitchBench#startShippedSwitch}: the local appliance's configuration and JVM command line, access log
 * on, default IO threads; {@code -Dbench.shippedJvmArgs} adds JVM options), its log in a file; {@code
 * -Dbench.shippedVariants=switch.accessLog=false;switch.ioThreads=1} adds one row per {@code ;}-separated set of
 * configuration overrides ({@code ,}-separated keys) to it, on the ports after its own. Uses ports 16081-16099
 * ({@code -Dbench.portBase} moves them).
 */
public final class SwitchCost {

    private static final String CLUSTER = "cost";
    private static final String PATH = "/api/objects/bench-doc";
    /** Ports from {@code -Dbench.portBase} (default 16080): backend +1, nginx +10, switch +12, baseline +13, as shipped +14. */
    private static final int PORT_BASE = Integer.getInteger("bench.portBase", 16080);
    private static final int BACKEND_PORT = PORT_BASE + 1;
    private static final int NGINX_PORT = PORT_BASE + 10;
    private static final int SWITCH_PORT = PORT_BASE + 12;
    private static final int BASELINE_PORT = PORT_BASE + 13;
    private static final int SHIPPED_PORT = PORT_BASE + 14;
    private static final int WARMUP_RUNS = 6;

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int connections = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int warmupSeconds = Integer.getInteger("bench.warmup", 5);
        // each connection waits this long between requests: a steady rate like the node-bound SwitchBench's,
        // so both proxies batch alike whatever else runs (0: as fast as wrk can)
        int delayMs = Integer.getInteger("bench.delayMs", 8);
        String classpath = System.getProperty("understudy.classpath", System.getProperty("java.class.path"));
        // made before this JVM pins itself to one CPU, so it states the machine's cores
        Report report = new Report("switch-cost", "Switch CPU per request vs nginx (static backend)");
        Path dir = Files.createTempDirectory("understudy-switchcost-");
        String loadBefore = Files.readString(Path.of("/proc/loadavg")).trim();
        List<Process> started = new ArrayList<>();
        Path pace = delayMs > 0 ? ProxyRunner.paceScript(dir, delayMs) : null;
        Map<String, List<Double>> cpu = new LinkedHashMap<>();
        Map<String, List<Double>> ioCpu = new LinkedHashMap<>();
        Map<String, List<Double>> jitMs = new LinkedHashMap<>();
        Map<String, List<ProxyRunner.WrkResult>> results = new LinkedHashMap<>();
        Map<String, Double> rss = new LinkedHashMap<>();
        ServerCnxnFactory zk = startZooKeeper(dir.resolve("zk"));
        String zkConnect = "127.0.0.1:" + zk.getLocalPort();
        try (CuratorFramework curator = CuratorFrameworkFactory.newClient(zkConnect, new RetryOneTime(100))) {
            curator.start();
            String apiUrl = "http://127.0.0.1:" + BACKEND_PORT;
            ZkPaths paths = new ZkPaths(CLUSTER);
            curator.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(paths.member("a"),
                    ClusterJson.toBytes(new MemberRecord("a", apiUrl, "db", Role.PRIMARY, 1, 0, -1, true, "bench", 0)));
            curator.create().creatingParentContainersIfNeeded().forPath(paths.primary(),
                    ClusterJson.toBytes(new PrimaryRecord("a", apiUrl, "db", 1, 0, null, 0)));

            Process backend = staticBackend(Files.createDirectories(dir.resolve("backend")));
            started.add(backend);
            Process nginx = ProxyRunner.nginx(Files.createDirectories(dir.resolve("nginx")), NGINX_PORT, BACKEND_PORT, 1);
            started.add(nginx);
            Process proxy = SwitchBench.startSwitch(CLUSTER, zkConnect, SWITCH_PORT, classpath, dir, 1);
            started.add(proxy);
            Map<String, Process> targets = new LinkedHashMap<>();
            Map<String, String> urls = new LinkedHashMap<>();
            targets.put("switch", proxy);
            urls.put("switch", "http://127.0.0.1:" + SWITCH_PORT + PATH);
            Process shipped = SwitchBench.startShippedSwitch(shippedValues(dir, zkConnect), SHIPPED_PORT, classpath,
                    Files.createDirectories(dir.resolve("shipped")));
            started.add(shipped);
            targets.put("switch as shipped", shipped);
            urls.put("switch as shipped", "http://127.0.0.1:" + SHIPPED_PORT + PATH);
            int variantPort = SHIPPED_PORT + 1;
            for (Map<String, String> overrides : variants(System.getProperty("bench.shippedVariants", ""))) {
                // the shipped switch with a few keys changed, in the same rounds: which part of the gap is whose
                Map<String, String> values = shippedValues(dir, zkConnect);
                values.putAll(overrides);
                String name = "as shipped, " + String.join(", ", overrides.entrySet().stream()
                        .map(e -> e.getKey().replace("switch.", "") + "=" + e.getValue()).toList());
                Process variant = SwitchBench.startShippedSwitch(values, variantPort, classpath,
                        Files.createDirectories(dir.resolve("shipped-" + variantPort)));
                started.add(variant);
                targets.put(name, variant);
                urls.put(name, "http://127.0.0.1:" + variantPort++ + PATH);
            }
            String baseline = System.getProperty("bench.baseline", "");
            if (!baseline.isBlank()) {
                // another build of the switch, measured in the same rounds: an A/B that the load hits alike
                Path baseDir = Files.createDirectories(dir.resolve("baseline"));
                Process base = SwitchBench.startSwitch(CLUSTER, zkConnect, BASELINE_PORT, baseline, baseDir, 1,
                        System.getProperty("bench.baselineJvmArgs", ""));
                started.add(base);
                targets.put("switch baseline", base);
                urls.put("switch baseline", "http://127.0.0.1:" + BASELINE_PORT + PATH);
            }
            targets.put("nginx", nginx);
            urls.put("nginx", "http://127.0.0.1:" + NGINX_PORT + PATH);
            BenchClient http = new BenchClient(Duration.ofSeconds(5));
            for (String name : targets.keySet()) {
                awaitAnswer(http, urls.get(name));
            }
            List<Long> onCpu1 = new ArrayList<>();
            for (Process p : targets.values()) {
                onCpu1.add(p.pid());
                p.descendants().forEach(d -> onCpu1.add(d.pid()));
            }
            SwitchBench.pinOne(ProcessHandle.current().pid(), "0");
            SwitchBench.pinOne(backend.pid(), "0");
            backend.descendants().forEach(d -> pin(d.pid(), "0"));
            onCpu1.forEach(pid -> pin(pid, "1"));
            if (Boolean.getBoolean("bench.serve")) {
                // for profiling by hand: everything stays up, pinned, until Enter
                System.out.println("switch pid " + proxy.pid() + " at " + urls.get("switch") + "; as shipped pid " + shipped.pid()
                        + " at " + urls.get("switch as shipped") + "; nginx pid " + nginx.pid()
                        + " at " + urls.get("nginx") + "; wrk on CPU 1. Enter stops.");
                System.in.read();
                return;
            }
            for (String name : targets.keySet()) {
                for (int run = 0; run < WARMUP_RUNS; run++) {
                    ProxyRunner.wrk("1", urls.get(name), 1, connections, warmupSeconds, pace);
                }
                cpu.put(name, new ArrayList<>());
                ioCpu.put(name, new ArrayList<>());
                jitMs.put(name, new ArrayList<>());
                results.put(name, new ArrayList<>());
            }
            for (int round = 0; round < rounds; round++) {
                for (Map.Entry<String, Process> target : targets.entrySet()) {
                    long before = SwitchBench.cpuTicks(target.getValue().toHandle());
                    long ioBefore = ioThreadNanos(target.getValue());
                    long jitBefore = SwitchBench.jitNanos(target.getValue());
                    ProxyRunner.WrkResult result = ProxyRunner.wrk("1", urls.get(target.getKey()), 1, connections, seconds,
                            pace);
                    long ticks = SwitchBench.cpuTicks(target.getValue().toHandle()) - before;
                    long ioNanos = ioThreadNanos(target.getValue()) - ioBefore;
                    jitMs.get(target.getKey()).add((SwitchBench.jitNanos(target.getValue()) - jitBefore) / 1e6);
                    results.get(target.getKey()).add(result);
                    cpu.get(target.getKey()).add(ticks * 1e4 / Math.max(1, result.requests()));
                    ioCpu.get(target.getKey()).add(ioNanos / 1e3 / Math.max(1, result.requests()));
                }
            }
            for (Map.Entry<String, Process> target : targets.entrySet()) {
                rss.put(target.getKey(), ProxyRunner.rssMb(target.getValue().pid()));
            }
        } finally {
            for (Process p : started) {
                p.destroy();
                p.waitFor();
            }
            zk.shutdown();
            SwitchBench.deleteTree(dir);
        }
        String loadAfter = Files.readString(Path.of("/proc/loadavg")).trim();
        report.line("wrk -t1 -c" + connections + " -d" + seconds + "s" + (delayMs > 0 ? ", each connection pausing "
                + delayMs + " ms between requests" : "") + ", " + rounds + " interleaved rounds after " + WARMUP_RUNS
                + " warm-up runs of " + warmupSeconds + " s per proxy; GET " + PATH + " from a static nginx backend on CPU 0; "
                + "wrk and the proxy on CPU 1. Switch: 1 IO thread, access log off, -Xmx160m -XX:+UseSerialGC -XX:MetaspaceSize=128m "
                + System.getProperty("bench.switchJvmArgs", "") + "; switch as shipped: the local appliance's "
                + "configuration and command line (access log on, default IO threads) "
                + System.getProperty("bench.shippedJvmArgs", "")).line("");
        report.line("/proc/loadavg before: " + loadBefore + "; after: " + loadAfter).line("");
        List<List<String>> rows = new ArrayList<>();
        for (String name : cpu.keySet()) {
            rows.add(List.of(name, String.format("%.1f", median(cpu.get(name))), String.format("%.1f", median(ioCpu.get(name))),
                    String.format("%.0f", median(results.get(name).stream().map(ProxyRunner.WrkResult::rps).toList())),
                    String.format("%.3f", median(results.get(name).stream().map(ProxyRunner.WrkResult::p99Ms).toList())),
                    String.format("%.0f", rss.get(name)),
                    Long.toString(results.get(name).stream().mapToLong(ProxyRunner.WrkResult::errors).sum())));
        }
        report.table(List.of("proxy", "CPU µs / request", "IO thread µs / request", "rps", "p99 ms", "RSS MB", "errors"), rows);
        report.line("IO thread: the switch's XNIO I/O threads, nginx's worker (schedstat, ns precision): the request path "
                + "without the JIT, GC and housekeeping threads, so it moves less from round to round.").line("");
        report.line("Every round (CPU µs / request, IO thread µs / request, rps, p99 ms, JIT compilers' CPU ms; the compilers"
                + " share the core with wrk and the IO thread, and a round in which they ran long has a longer p99):");
        for (String name : cpu.keySet()) {
            List<String> each = new ArrayList<>();
            for (int i = 0; i < cpu.get(name).size(); i++) {
                each.add(String.format("%.1f / %.1f / %.0f / %.2f / %.0f", cpu.get(name).get(i), ioCpu.get(name).get(i),
                        results.get(name).get(i).rps(), results.get(name).get(i).p99Ms(), jitMs.get(name).get(i)));
            }
            report.line("- " + name + ": " + String.join(", ", each));
        }
        report.publish(System.out, Path.of("bench", "results"));
    }

    /**
     * CPU time so far of the threads that serve requests: a switch's XNIO I/O threads, or every
     * process but the first of an nginx tree (its workers). From {@code /proc/.../schedstat}, in ns.
     */
    private static long ioThreadNanos(Process process) throws IOException {
        List<ProcessHandle> workers = process.descendants().toList();
        if (workers.isEmpty()) {
            return SwitchBench.threadNanos(process, name -> name.startsWith("XNIO-1 I/O"));
        }
        long nanos = 0;
        for (ProcessHandle worker : workers) {
            nanos += SwitchBench.schedNanos(Path.of("/proc", Long.toString(worker.pid()), "schedstat"));
        }
        return nanos;
    }

    /** {@code switch.accessLog=false;switch.ioThreads=1,switch.accessLog=false}: one set of overrides per row. */
    private static List<Map<String, String>> variants(String spec) {
        List<Map<String, String>> variants = new ArrayList<>();
        for (String row : spec.split(";")) {
            Map<String, String> overrides = new LinkedHashMap<>();
            for (String pair : row.split(",")) {
                if (pair.contains("=")) {
                    overrides.put(pair.substring(0, pair.indexOf('=')).trim(), pair.substring(pair.indexOf('=') + 1).trim());
                }
            }
            if (!overrides.isEmpty()) {
                variants.add(overrides);
            }
        }
        return variants;
    }

    /** What the local appliance writes for its switch, against this program's ZooKeeper and cluster. */
    private static Map<String, String> shippedValues(Path dir, String zkConnect) {
        ApplianceConfig config = new ApplianceConfig(dir, CLUSTER, SHIPPED_PORT, PORT_BASE + 20, PORT_BASE + 30,
                ApplianceConfig.firstIds(2), PORT_BASE + 40, PORT_BASE + 50, PORT_BASE + 60);
        Map<String, String> values = new LinkedHashMap<>(ChildConfigs.failoverSwitch(config, "bench-admin-token-0123456789"));
        values.put("zookeeper.connect", zkConnect);
        return values;
    }

    private static ServerCnxnFactory startZooKeeper(Path dir) throws Exception {
        Files.createDirectories(dir);
        ZooKeeperServer server = new ZooKeeperServer(dir.toFile(), dir.toFile(), 2000);
        ServerCnxnFactory factory = ServerCnxnFactory.createFactory(new InetSocketAddress("127.0.0.1", 0), 100);
        factory.startup(server);
        return factory;
    }

    /** nginx answering what the node answers for the benchmark document. */
    private static Process staticBackend(Path dir) throws IOException {
        return ProxyRunner.nginx(dir, 1, """
                  keepalive_requests 1000000;
                  server {
                    listen 127.0.0.1:%d;
                    location / {
                      default_type application/json;
                      add_header ETag '"3f2a9c"';
                      return 200 '{"title":"bench","n":1}';
                    }
                  }
                """.formatted(BACKEND_PORT));
    }

    private static void pin(long pid, String cpus) {
        try {
            SwitchBench.pinOne(pid, cpus);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Polls until {@code url} answers: a start-up wait in a benchmark program, not a test. */
    private static void awaitAnswer(BenchClient http, String url) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (http.get(url) == null) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(url + " does not answer within 60 s");
            }
            Thread.sleep(200);
        }
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted.length == 0 ? Double.NaN : sorted[sorted.length / 2];
    }
}
