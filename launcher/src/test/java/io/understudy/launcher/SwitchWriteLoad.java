package io.understudy.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keyed PUTs through the switch from a few client threads at a steady pace, as a client of the
 * appliance sees them: every acknowledged write with the epoch and node that served it, and every
 * request that failed (an error status or no answer) with why.
 */
final class SwitchWriteLoad implements AutoCloseable {

    /** One acknowledged write, with the monotonic time its answer arrived. */
    record Ack(String id, String body, long epoch, String node, long atNanos) {
    }

    /** Longer than the switch's hold time, so a held request gets its real answer. */
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(20);
    private static final long PACE_MS = 20;

    private final String switchUrl;
    private final String prefix;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final Map<String, Ack> acked = new ConcurrentHashMap<>();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> writers = new ArrayList<>();

    SwitchWriteLoad(String switchUrl, String prefix, int threads) {
        this.switchUrl = switchUrl;
        this.prefix = prefix;
        for (int w = 0; w < threads; w++) {
            int writer = w;
            Thread t = new Thread(() -> write(writer), prefix + "-writer-" + w);
            t.start();
            writers.add(t);
        }
    }

    private void write(int writer) {
        for (int n = 0; !stop.get(); n++) {
            String id = prefix + "-w" + writer + "-" + n;
            String body = "{\"writer\":" + writer + ",\"n\":" + n + "}";
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(switchUrl + "/api/objects/" + id))
                        .timeout(WRITE_TIMEOUT).header("Content-Type", "application/json")
                        .header("Idempotency-Key", "key-" + id)
                        .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() / 100 == 2) {
                    acked.put(id, new Ack(id, body, r.headers().firstValueAsLong("X-Understudy-Served-Epoch").orElse(-1),
                            r.headers().firstValue("X-Understudy-Node").orElse("?"), System.nanoTime()));
                } else {
                    failures.add(id + ": " + r.statusCode() + " " + r.body());
                }
                Thread.sleep(PACE_MS);
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                failures.add(id + ": " + e);
            }
        }
    }

    int ackCount() {
        return acked.size();
    }

    Map<String, Ack> acked() {
        return Map.copyOf(acked);
    }

    List<String> failures() {
        return List.copyOf(failures);
    }

    /** The longest time without an acknowledgement between {@code fromNanos} and the last acknowledgement, in ms. */
    long longestAckGapMs(long fromNanos) {
        List<Long> times = acked.values().stream().map(Ack::atNanos).filter(t -> t >= fromNanos).sorted().toList();
        long gap = 0;
        long previous = fromNanos;
        for (long t : times) {
            gap = Math.max(gap, t - previous);
            previous = t;
        }
        return TimeUnit.NANOSECONDS.toMillis(gap);
    }

    /** Stops the writers and waits for their last requests. */
    @Override
    public void close() {
        stop.set(true);
        try {
            for (Thread t : writers) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
