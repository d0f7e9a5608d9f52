package io.understudy.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.understudy.cluster.Headers;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writers that send keyed PUTs of distinct ids through the switch at a steady total rate, each
 * waiting for its answer, and record every request in a {@link History}. Every other write is
 * create-only ({@code If-None-Match: *}). Bounded by a count and a time. Start once, stop once.
 */
public final class Writers implements AutoCloseable {

    /** Longer than the switch's backend timeout (30 s), so a request the switch still works on gets its real answer. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(40);
    private static final Logger LOG = LoggerFactory.getLogger(Writers.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String switchUrl;
    private final String prefix;
    private final History history;
    private final int threads;
    private final double perSecond;
    private final int maxWrites;
    private final long deadlineNanos;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicInteger sent = new AtomicInteger();
    private final List<Thread> running = new ArrayList<>();

    /**
     * @param prefix    every id starts with it (one run's objects can be listed by it)
     * @param perSecond total target rate over all threads
     */
    public Writers(String switchUrl, String prefix, History history, int threads, double perSecond, int maxWrites,
                   Duration maxTime) {
        this.switchUrl = switchUrl;
        this.prefix = prefix;
        this.history = history;
        this.threads = threads;
        this.perSecond = perSecond;
        this.maxWrites = maxWrites;
        this.deadlineNanos = System.nanoTime() + maxTime.toNanos();
    }

    public void start() {
        for (int t = 0; t < threads; t++) {
            int writer = t;
            Thread thread = new Thread(() -> run(writer), "chaos-writer-" + t);
            thread.setDaemon(true);
            thread.start();
            running.add(thread);
        }
    }

    private void run(int writer) {
        long interval = (long) (threads * 1e9 / perSecond);
        long next = System.nanoTime();
        int n;
        while (!stop.get() && System.nanoTime() < deadlineNanos && (n = sent.incrementAndGet()) <= maxWrites) {
            String id = idOf(prefix, n) + "-w" + writer;
            String body = "{\"writer\":" + writer + ",\"n\":" + n + ",\"note\":\"chaos \\u2713 " + id + "\"}";
            history.started(n);
            history.add(send(n, id, body, n % 2 == 1));
            next += interval;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait); // pacing the load, not synchronisation
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            } else {
                next = System.nanoTime(); // after a long stall, do not burst to catch up
            }
        }
    }

    /** Ids sort in the order the requests were numbered, so a check can list only the newer ones. */
    public static String idOf(String prefix, long seq) {
        return prefix + String.format("%09d", seq);
    }

    private Op send(long seq, String id, String body, boolean createOnly) {
        String key = "key-" + id;
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(switchUrl + "/api/objects/" + id))
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .header(Headers.IDEMPOTENCY_KEY, key)
                .PUT(HttpRequest.BodyPublishers.ofString(body));
        if (createOnly) {
            request.header("If-None-Match", "*");
        }
        long start = System.nanoTime();
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            long end = System.nanoTime();
            int status = response.statusCode();
            String outcome = status == 200 || status == 201 ? Op.ACKED : status + ":" + errorCode(response.body());
            return new Op(seq, id, key, body, createOnly, start, end, status, outcome,
                    response.headers().firstValueAsLong(Headers.SERVED_EPOCH).orElse(-1),
                    response.headers().firstValue(Headers.NODE).orElse(null),
                    response.headers().firstValue("Idempotency-Replayed").isPresent());
        } catch (IOException e) {
            long end = System.nanoTime();
            String outcome = history.duringSwitchOutage(start, end) || e instanceof ConnectException ? History.SWITCH_DOWN
                    : e instanceof HttpTimeoutException ? "timeout" : "io";
            return new Op(seq, id, key, body, createOnly, start, end, 0, outcome, -1, null, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            long end = System.nanoTime();
            return new Op(seq, id, key, body, createOnly, start, end, 0, "interrupted", -1, null, false);
        }
    }

    private static String errorCode(String body) {
        try {
            JsonNode json = JSON.readTree(body);
            return json == null ? "?" : json.path("error").asText("?");
        } catch (IOException e) {
            return "?";
        }
    }

    public int sent() {
        return Math.min(sent.get(), maxWrites);
    }

    /** Whether the writers stopped by themselves (count or time bound reached). */
    public boolean exhausted() {
        return running.stream().noneMatch(Thread::isAlive);
    }

    /** Stops the writers and waits for their last requests. */
    @Override
    public void close() {
        stop.set(true);
        for (Thread thread : running) {
            try {
                thread.join(REQUEST_TIMEOUT.toMillis() + 5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        LOG.info("writers stopped after {} requests", sent());
    }
}
