package io.understudy.workload;

import com.fasterxml.jackson.databind.JsonNode;
import io.understudy.cluster.ClusterJson;
import io.understudy.cluster.Headers;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
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
 * create-only ({@code If-None-Match: *}). A write that gets no acknowledgement may be sent again
 * with the same key and body, as a careful client does; after each write a writer may read back
 * the last object it had acknowledged. Bounded by a count and a time. Start once, stop once.
 */
public final class Writers implements AutoCloseable {

    /**
     * The shape of the load.
     *
     * @param threads     writers, each waiting for its answers
     * @param perSecond   total target rate of writes over all threads
     * @param maxWrites   writes in all, at most
     * @param maxTime     how long writers may run, at most
     * @param maxAttempts sends of one write until it is acknowledged (1: never sent again)
     * @param reads       after each write, read back the writer's previous acknowledged object
     */
    public record Load(int threads, double perSecond, int maxWrites, Duration maxTime, int maxAttempts, boolean reads) {
        public Load {
            if (threads < 1 || perSecond <= 0 || maxWrites < 0 || maxAttempts < 1) {
                throw new IllegalArgumentException("threads >= 1, perSecond > 0, maxWrites >= 0, maxAttempts >= 1: " + this);
            }
        }
    }

    /** Longer than the switch's backend timeout (30 s), so a request the switch still works on gets its real answer. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(40);
    /** Pause before sending a write again, times the attempt number. */
    private static final long RETRY_PAUSE_MS = 100;
    private static final Logger LOG = LoggerFactory.getLogger(Writers.class);

    private final String switchUrl;
    private final String prefix;
    private final History history;
    private final Load load;
    private final long deadlineNanos;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicInteger sent = new AtomicInteger();
    private final List<Thread> running = new ArrayList<>();

    /**
     * Writes only, each sent once.
     *
     * @param prefix    every id starts with it (one run's objects can be listed by it)
     * @param perSecond total target rate over all threads
     */
    public Writers(String switchUrl, String prefix, History history, int threads, double perSecond, int maxWrites,
                   Duration maxTime) {
        this(switchUrl, prefix, history, new Load(threads, perSecond, maxWrites, maxTime, 1, false));
    }

    public Writers(String switchUrl, String prefix, History history, Load load) {
        this.switchUrl = switchUrl;
        this.prefix = prefix;
        this.history = history;
        this.load = load;
        this.deadlineNanos = System.nanoTime() + load.maxTime().toNanos();
    }

    public void start() {
        for (int t = 0; t < load.threads(); t++) {
            int writer = t;
            Thread thread = new Thread(() -> run(writer), "writer-" + t);
            thread.setDaemon(true);
            thread.start();
            running.add(thread);
        }
    }

    private void run(int writer) {
        long interval = (long) (load.threads() * 1e9 / load.perSecond());
        long next = System.nanoTime();
        Op lastAcked = null;
        int n;
        while (running() && (n = sent.incrementAndGet()) <= load.maxWrites()) {
            String id = idOf(prefix, n) + "-w" + writer;
            String body = "{\"writer\":" + writer + ",\"n\":" + n + ",\"note\":\"\\u2713 " + id + "\"}";
            history.started(n);
            Op outcome = writeWithRetries(n, id, body, n % 2 == 1);
            history.finished(n);
            if (load.reads() && lastAcked != null && running()) {
                history.add(read(lastAcked));
            }
            if (outcome.acked()) {
                lastAcked = outcome;
            }
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

    private boolean running() {
        return !stop.get() && System.nanoTime() < deadlineNanos && !Thread.currentThread().isInterrupted();
    }

    /** Sends the write until it is acknowledged, refused for good (4xx), out of attempts, or the load stops. */
    private Op writeWithRetries(long seq, String id, String body, boolean createOnly) {
        Op op = null;
        for (int attempt = 1; attempt <= load.maxAttempts(); attempt++) {
            if (attempt > 1) {
                try {
                    TimeUnit.MILLISECONDS.sleep(RETRY_PAUSE_MS * (attempt - 1)); // a client's back-off, not synchronisation
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return op;
                }
            }
            op = send(seq, attempt, id, body, createOnly);
            history.add(op);
            boolean refusedForGood = op.status() >= 400 && op.status() < 500 && op.status() != 408 && op.status() != 429;
            if (op.acked() || refusedForGood || !running()) {
                return op;
            }
        }
        return op;
    }

    /** Ids sort in the order the requests were numbered, so a check can list only the newer ones. */
    public static String idOf(String prefix, long seq) {
        return prefix + String.format("%09d", seq);
    }

    private Op send(long seq, int attempt, String id, String body, boolean createOnly) {
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
            return Op.write(seq, attempt, id, key, body, createOnly, start, end, status, outcome, servedEpoch(response),
                    response.headers().firstValue(Headers.NODE).orElse(null),
                    response.headers().firstValue("Idempotency-Replayed").isPresent());
        } catch (IOException e) {
            return Op.write(seq, attempt, id, key, body, createOnly, start, System.nanoTime(), 0, failureClass(e, start), -1,
                    null, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Op.write(seq, attempt, id, key, body, createOnly, start, System.nanoTime(), 0, "interrupted", -1, null, false);
        }
    }

    /** GET of an acknowledged write through the switch; succeeds only with exactly the body that was written. */
    private Op read(Op written) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(switchUrl + "/api/objects/" + written.id()))
                .timeout(REQUEST_TIMEOUT).GET().build();
        long start = System.nanoTime();
        try {
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            int status = response.statusCode();
            String outcome = status == 404 ? Op.MISSING
                    : status != 200 ? status + ":" + errorCode(new String(response.body(), StandardCharsets.UTF_8))
                    : new String(response.body(), StandardCharsets.UTF_8).equals(written.body()) ? Op.ACKED : Op.WRONG_BODY;
            return new Op(Op.Kind.READ, written.seq(), 1, written.id(), null, written.body(), false, start, System.nanoTime(),
                    status, outcome, servedEpoch(response), response.headers().firstValue(Headers.NODE).orElse(null), false);
        } catch (IOException e) {
            return new Op(Op.Kind.READ, written.seq(), 1, written.id(), null, written.body(), false, start, System.nanoTime(), 0,
                    failureClass(e, start), -1, null, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Op(Op.Kind.READ, written.seq(), 1, written.id(), null, written.body(), false, start, System.nanoTime(), 0,
                    "interrupted", -1, null, false);
        }
    }

    private String failureClass(IOException e, long start) {
        return history.duringSwitchOutage(start, System.nanoTime()) || e instanceof ConnectException ? History.SWITCH_DOWN
                : e instanceof HttpTimeoutException ? "timeout" : "io";
    }

    private static long servedEpoch(HttpResponse<?> response) {
        return response.headers().firstValueAsLong(Headers.SERVED_EPOCH).orElse(-1);
    }

    private static String errorCode(String body) {
        try {
            JsonNode json = ClusterJson.MAPPER.readTree(body);
            return json == null ? "?" : json.path("error").asText("?");
        } catch (IOException e) {
            return "?";
        }
    }

    /** Logical writes started so far. */
    public int sent() {
        return Math.min(sent.get(), load.maxWrites());
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
                thread.join(REQUEST_TIMEOUT.toMillis() * load.maxAttempts() + 5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        LOG.info("writers stopped after {} writes", sent());
    }
}
