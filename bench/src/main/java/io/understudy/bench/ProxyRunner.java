package io.understudy.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * nginx and HAProxy as plain reverse proxies to one node on 127.0.0.1, each from a config generated
 * in a temp dir and run in the foreground as a child process (never a system service), plus wrk
 * and RSS reading. Installs the Debian packages with apt-get when they are missing.
 */
final class ProxyRunner {

    record WrkResult(double rps, double p50Ms, double p99Ms, long requests, long errors) {
    }

    private ProxyRunner() {
    }

    static void ensureInstalled(String binary, String pkg) throws IOException, InterruptedException {
        if (Files.isExecutable(Path.of(binary))) {
            return;
        }
        run(List.of("apt-get", "install", "-y", "-q", pkg));
    }

    static Process nginx(Path dir, int port, int upstreamPort, int workers) throws IOException {
        return nginx(dir, workers, """
                  upstream node { server 127.0.0.1:%d; keepalive 128; }
                  server {
                    listen 127.0.0.1:%d;
                    location / {
                      proxy_pass http://node;
                      proxy_http_version 1.1;
                      proxy_set_header Connection "";
                      proxy_set_header Host $host;
                      proxy_set_header X-Forwarded-For $remote_addr;
                    }
                  }
                """.formatted(upstreamPort, port));
    }

    /**
     * nginx in the foreground with its files under {@code dir}, access log off, and {@code http} (directives and
     * server blocks) inside its {@code http} block.
     */
    static Process nginx(Path dir, int workers, String http) throws IOException {
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, """
                user root;
                worker_processes %d;
                daemon off;
                pid %s/nginx.pid;
                error_log %s/nginx-error.log warn;
                events { worker_connections 4096; }
                http {
                  access_log off;
                  client_body_temp_path %s/body;
                  proxy_temp_path %s/proxy;
                  fastcgi_temp_path %s/fastcgi;
                  uwsgi_temp_path %s/uwsgi;
                  scgi_temp_path %s/scgi;
                %s}
                """.formatted(workers, dir, dir, dir, dir, dir, dir, dir, http));
        return new ProcessBuilder("nginx", "-c", conf.toString(), "-p", dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
    }

    static Process haproxy(Path dir, int port, int upstreamPort, int threads) throws IOException {
        Path conf = dir.resolve("haproxy.cfg");
        Files.writeString(conf, """
                global
                  maxconn 8192
                  nbthread %d
                defaults
                  mode http
                  option http-keep-alive
                  option forwardfor
                  timeout connect 5s
                  timeout client 30s
                  timeout server 30s
                frontend in
                  bind 127.0.0.1:%d
                  default_backend node
                backend node
                  http-reuse always
                  server node 127.0.0.1:%d
                """.formatted(threads, port, upstreamPort));
        return new ProcessBuilder("haproxy", "-f", conf.toString(), "-db")
                .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.out").toFile()).start();
    }

    /**
     * wrk with {@code threads}/{@code connections} for {@code seconds}; latency from its distribution.
     *
     * @param cpu    the CPUs wrk may run on (taskset), or null for any
     * @param script a wrk Lua script, or null
     */
    static WrkResult wrk(String cpu, String url, int threads, int connections, int seconds, Path script)
            throws IOException, InterruptedException {
        String out = wrkOutput(cpu, url, threads, connections, seconds, script);
        double rps = number(out, "Requests/sec:\\s+([0-9.]+)");
        long requests = (long) number(out, "([0-9]+) requests in");
        Matcher errors = Pattern.compile("Non-2xx or 3xx responses: ([0-9]+)").matcher(out);
        long errorCount = (errors.find() ? Long.parseLong(errors.group(1)) : 0) + socketErrors(out);
        return new WrkResult(rps, latency(out, "50%"), latency(out, "99%"), requests, errorCount);
    }

    /** What {@code wrk --latency} printed; the parameters as for {@link #wrk}. */
    static String wrkOutput(String cpu, String url, int threads, int connections, int seconds, Path script)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (cpu != null) {
            command.addAll(List.of("taskset", "-c", cpu));
        }
        command.addAll(List.of("wrk", "-t" + threads, "-c" + connections, "-d" + seconds + "s", "--latency"));
        if (script != null) {
            command.addAll(List.of("-s", script.toString()));
        }
        command.add(url);
        return run(command);
    }

    /** The connect, read, write and timeout errors of wrk's "Socket errors" line, summed; 0 without one. */
    static long socketErrors(String out) {
        Matcher socket = Pattern.compile("Socket errors: connect ([0-9]+), read ([0-9]+), write ([0-9]+), timeout ([0-9]+)")
                .matcher(out);
        long count = 0;
        if (socket.find()) {
            for (int g = 1; g <= 4; g++) {
                count += Long.parseLong(socket.group(g));
            }
        }
        return count;
    }

    /** A wrk Lua script in {@code dir} that makes each connection pause {@code pauseMs} between requests. */
    static Path paceScript(Path dir, int pauseMs) throws IOException {
        return Files.writeString(dir.resolve("pace.lua"), "function delay()\n  return " + pauseMs + "\nend\n");
    }

    /** Resident set of {@code pid} and all its descendants, in MB. */
    static double rssMb(long pid) throws IOException {
        long kb = 0;
        List<Long> pids = new ArrayList<>(List.of(pid));
        ProcessHandle.of(pid).ifPresent(p -> p.descendants().forEach(d -> pids.add(d.pid())));
        for (long p : pids) {
            Path status = Path.of("/proc", Long.toString(p), "status");
            if (Files.exists(status)) {
                for (String line : Files.readAllLines(status)) {
                    if (line.startsWith("VmRSS:")) {
                        kb += Long.parseLong(line.replaceAll("[^0-9]", ""));
                    }
                }
            }
        }
        return kb / 1024.0;
    }

    /** A wrk latency percentile line ({@code 99%  3.21ms}) in milliseconds; NaN when absent. */
    static double latency(String out, String percentile) {
        Matcher m = Pattern.compile("\\s" + Pattern.quote(percentile) + "\\s+([0-9.]+)(us|ms|s)").matcher(out);
        if (!m.find()) {
            return Double.NaN;
        }
        double value = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> value / 1000;
            case "s" -> value * 1000;
            default -> value;
        };
    }

    private static double number(String out, String regex) {
        Matcher m = Pattern.compile(regex).matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("unexpected wrk output:\n" + out);
        }
        return Double.parseDouble(m.group(1));
    }

    static String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IOException(command + " failed:\n" + out);
        }
        return out;
    }
}
