package io.understudy.bench;

import io.understudy.launcher.ApplianceConfig;
import io.understudy.launcher.LocalAppliance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Throughput and latency of the switch against nginx and HAProxy, all proxying to the same
 * primary node of the real local appliance, plus that node directly; same wrk load for each, in
 * one run, rounds interleaved so drift hits every target alike.
 *
 * <p>Usage: {@code bench/run.sh switch [seconds] [connections] [rounds]}. Uses ports 19080-19433.
 * The switch runs without its access log and nginx with {@code access_log off}, so neither pays
 * for logging.
 */
public final class SwitchBench {

    private static final String PATH = "/api/objects/bench-doc";

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int connections = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int threads = 2;
        ProxyRunner.ensureInstalled("/usr/bin/wrk", "wrk");
        ProxyRunner.ensureInstalled("/usr/sbin/nginx", "nginx");
        ProxyRunner.ensureInstalled("/usr/sbin/haproxy", "haproxy");

        Path data = Files.createTempDirectory("understudy-switchbench-");
        Path proxies = Files.createDirectories(data.resolve("proxies"));
        ApplianceConfig config = new ApplianceConfig(data, "bench", 19080, 19081, 19082, 19432, 19433, 19181, 19281, 19381);
        String classpath = System.getProperty("understudy.classpath", System.getProperty("java.class.path"));
        BenchClient http = new BenchClient(Duration.ofSeconds(5));
        Report report = new Report("switch", "Switch vs nginx vs HAProxy (wrk, same node)");
        Map<String, List<ProxyRunner.WrkResult>> results = new LinkedHashMap<>();
        Map<String, Double> rss = new LinkedHashMap<>();
        Process nginx = null;
        Process haproxy = null;
        try (LocalAppliance app = new LocalAppliance(config, classpath)) {
            app.start(Duration.ofMinutes(5));
            String primary = app.primaryNodeId().orElseThrow();
            String nodeUrl = app.nodeApiUrl(primary);
            int nodePort = Integer.parseInt(nodeUrl.substring(nodeUrl.lastIndexOf(':') + 1));
            if (http.put(app.switchUrl() + PATH, "{\"title\":\"bench\",\"n\":1}") / 100 != 2) {
                throw new IllegalStateException("cannot write the benchmark document through the switch");
            }
            nginx = ProxyRunner.nginx(proxies, 19090, nodePort, threads);
            haproxy = ProxyRunner.haproxy(proxies, 19091, nodePort, threads);
            Map<String, String> targets = new LinkedHashMap<>();
            targets.put("node direct", nodeUrl + PATH);
            targets.put("switch", app.switchUrl() + PATH);
            targets.put("nginx", "http://127.0.0.1:19090" + PATH);
            targets.put("haproxy", "http://127.0.0.1:19091" + PATH);
            for (Map.Entry<String, String> target : targets.entrySet()) {
                if (http.get(target.getValue()) == null) {
                    throw new IllegalStateException(target.getKey() + " does not answer " + target.getValue());
                }
                ProxyRunner.wrk(target.getValue(), threads, connections, 3); // warm-up (JIT, pools)
                results.put(target.getKey(), new ArrayList<>());
            }
            for (int round = 0; round < rounds; round++) {
                for (Map.Entry<String, String> target : targets.entrySet()) {
                    results.get(target.getKey()).add(ProxyRunner.wrk(target.getValue(), threads, connections, seconds));
                }
            }
            rss.put("switch", ProxyRunner.rssMb(app.switchProcess().pid()));
            rss.put("nginx", ProxyRunner.rssMb(nginx.pid()));
            rss.put("haproxy", ProxyRunner.rssMb(haproxy.pid()));
        } finally {
            for (Process p : new Process[] {nginx, haproxy}) {
                if (p != null) {
                    p.destroy();
                    p.waitFor();
                }
            }
        }
        report.line("wrk -t" + threads + " -c" + connections + " -d" + seconds + "s, " + rounds + " interleaved rounds per target, "
                + "GET " + PATH + " (one PostgreSQL read per request on the node). Median of the rounds.").line("");
        double directP99 = median(results.get("node direct"), ProxyRunner.WrkResult::p99Ms);
        double nginxRps = median(results.get("nginx"), ProxyRunner.WrkResult::rps);
        List<List<String>> rows = new ArrayList<>();
        for (Map.Entry<String, List<ProxyRunner.WrkResult>> entry : results.entrySet()) {
            List<ProxyRunner.WrkResult> r = entry.getValue();
            double rps = median(r, ProxyRunner.WrkResult::rps);
            double p99 = median(r, ProxyRunner.WrkResult::p99Ms);
            long errors = r.stream().mapToLong(ProxyRunner.WrkResult::errors).sum();
            rows.add(List.of(entry.getKey(), String.format("%.0f", rps), String.format("%.3f", median(r, ProxyRunner.WrkResult::p50Ms)),
                    String.format("%.3f", p99), String.format("%+.3f", p99 - directP99), String.format("%.2f", rps / nginxRps),
                    rss.containsKey(entry.getKey()) ? String.format("%.0f", rss.get(entry.getKey())) : "-", Long.toString(errors)));
        }
        report.table(List.of("target", "rps", "p50 ms", "p99 ms", "p99 added vs direct ms", "rps / nginx", "RSS MB", "errors"), rows);
        report.line("Goal: switch rps >= nginx, <= 1 ms added p99 over direct, RSS <= 200 MB.");
        report.publish(System.out, Path.of("bench", "results"));
    }

    private static double median(List<ProxyRunner.WrkResult> results, java.util.function.ToDoubleFunction<ProxyRunner.WrkResult> f) {
        double[] values = results.stream().mapToDouble(f).sorted().toArray();
        return values.length == 0 ? Double.NaN : values[values.length / 2];
    }
}
