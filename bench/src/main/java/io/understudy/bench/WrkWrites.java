package io.understudy.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The write path's closed-loop load as a user would drive it: wrk, a process of its own, sending {@code PUT
 * /api/objects/{id}} as fast as its connections go, with the body and headers {@link LoadGenerator} sends and a key
 * of its own per thread and request. A load generator inside the bench's JVM competes with the nodes it measures for
 * the same heap, GC and two cores, and read well below what wrk reads against the same appliance.
 *
 * <p>wrk's own {@code Requests/sec} counts every answer, and its "Non-2xx or 3xx" line leaves 3xx out; the script
 * therefore counts 2xx and everything else itself and prints both, so only 2xx answers count as committed.
 */
final class WrkWrites {

    /**
     * What one run did.
     *
     * @param acked        2xx answers
     * @param rejected     answers other than 2xx
     * @param socketErrors connect, read, write errors and timeouts: requests without an answer
     * @param p50Ms        wrk's latency percentiles over all answers
     */
    record Result(long acked, long rejected, long socketErrors, long elapsedNanos, double p50Ms, double p99Ms) {
        double ackedPerSecond() {
            return acked * 1e9 / Math.max(1, elapsedNanos);
        }

        /** Empty when every request was acknowledged, else what went wrong, for the row. */
        String failures() {
            return rejected == 0 && socketErrors == 0 ? "" : ", " + rejected + " non-2xx, " + socketErrors + " socket errors";
        }
    }

    private static final Pattern COUNTS = Pattern.compile("understudy-wrk acked=([0-9]+) rejected=([0-9]+) duration_us=([0-9]+)");
    // Globals per thread: id (from setup), n, acked, rejected. setup and done run in wrk's main Lua state.
    private static final String SCRIPT = """
            local threads = {}
            function setup(thread)
              table.insert(threads, thread)
              thread:set("id", #threads)
            end
            function init(args)
              n, acked, rejected = 0, 0, 0
              wrk.headers["Content-Type"] = "application/json"
            end
            function request()
              n = n + 1
              local body = '{"n":' .. n .. ',"pad":"0123456789abcdef"}'
              return wrk.format("PUT", "/api/objects/%s-" .. id .. "-" .. n, nil, body)
            end
            function response(status, headers, body)
              if status >= 200 and status < 300 then acked = acked + 1 else rejected = rejected + 1 end
            end
            function done(summary, latency, requests)
              local a, r = 0, 0
              for _, t in ipairs(threads) do
                a = a + t:get("acked")
                r = r + t:get("rejected")
              end
              io.write(string.format("understudy-wrk acked=%%d rejected=%%d duration_us=%%d\\n", a, r, summary.duration))
            end
            """;

    private WrkWrites() {
    }

    /**
     * {@code wrk -t2 -c<connections> --latency} (one thread per connection below two) against {@code baseUrl} for
     * {@code duration}; keys are {@code <prefix>-<thread>-<request>}. The script is written into {@code dir}.
     */
    static Result run(Path dir, String baseUrl, String prefix, int connections, Duration duration)
            throws IOException, InterruptedException {
        ProxyRunner.ensureInstalled("/usr/bin/wrk", "wrk");
        Path script = Files.writeString(dir.resolve("put-" + prefix + ".lua"), SCRIPT.formatted(prefix));
        String out = ProxyRunner.wrkOutput(null, baseUrl, Math.min(2, connections), connections, (int) duration.toSeconds(),
                script);
        Matcher counts = COUNTS.matcher(out);
        if (!counts.find()) {
            throw new IllegalStateException("unexpected wrk output:\n" + out);
        }
        Result r = new Result(Long.parseLong(counts.group(1)), Long.parseLong(counts.group(2)), ProxyRunner.socketErrors(out),
                Long.parseLong(counts.group(3)) * 1000, ProxyRunner.latency(out, "50%"), ProxyRunner.latency(out, "99%"));
        if (!r.failures().isEmpty()) {
            System.err.println("wrk " + prefix + ": not every PUT acknowledged" + r.failures() + "\n" + out);
        }
        return r;
    }
}
