package io.understudy.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A steady write load through the switch as clients see it: keyed PUTs from a few threads, each
 * pausing between its requests so that together they send about {@code ratePerSecond}. Every
 * answer is kept with when it was sent and when it came back, the served epoch included, so the
 * gaps, failures and losses around each fault can be worked out afterwards.
 */
final class RtoLoad implements AutoCloseable {

    /** One request: {@code status} -1 when it got no answer; {@code epoch} -1 when not stamped. */
    record Outcome(String id, String body, long sentNanos, long doneNanos, int status, long epoch, String error) {
        boolean acked() {
            return status / 100 == 2;
        }
    }

    /** Longer than the switch's hold time: a held request is the switch hiding a failover, not a failure. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

    private final String switchUrl;
    private final long pauseNanos;
    private final long deadline;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();

    RtoLoad(String switchUrl, int threads, int ratePerSecond, Duration limit) {
        this.switchUrl = switchUrl;
        this.pauseNanos = TimeUnit.SECONDS.toNanos(1) * threads / ratePerSecond;
        this.deadline = System.nanoTime() + limit.toNanos();
        for (int t = 0; t < threads; t++) {
            int writer = t;
            Thread thread = new Thread(() -> run(writer), "rto-writer-" + t);
            thread.setDaemon(true);
            this.threads.add(thread);
            thread.start();
        }
    }

    private void run(int writer) {
        long next = System.nanoTime();
        for (int n = 0; !stop.get() && System.nanoTime() < deadline; n++) {
            String id = "rto-" + writer + "-" + n;
            String body = "{\"writer\":" + writer + ",\"n\":" + n + "}";
            long sent = System.nanoTime();
            int status = -1;
            long epoch = -1;
            String error = null;
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(switchUrl + "/api/objects/" + id))
                        .timeout(REQUEST_TIMEOUT).header("Content-Type", "application/json")
                        .header("Idempotency-Key", "rto-" + id)
                        .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                status = r.statusCode();
                epoch = r.headers().firstValueAsLong("X-Understudy-Served-Epoch").orElse(-1);
                if (status / 100 != 2) {
                    error = r.body();
                }
            } catch (IOException e) {
                error = e.toString();
            } catch (InterruptedException e) {
                return;
            }
            outcomes.add(new Outcome(id, body, sent, System.nanoTime(), status, epoch, error));
            // Pause from the planned start, not from the answer: a held request does not lower the rate afterwards
            // by more than it must, and never makes the thread burst to catch up.
            next = Math.max(next + pauseNanos, System.nanoTime());
            long wait = next - System.nanoTime();
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Everything answered so far, in no particular order. */
    List<Outcome> outcomes() {
        return List.copyOf(outcomes);
    }

    /** Whether a write served in an epoch above {@code epoch} was acknowledged after {@code sinceNanos}. */
    boolean ackedInEpochAbove(long epoch, long sinceNanos) {
        return outcomes.stream().anyMatch(o -> o.acked() && o.epoch() > epoch && o.doneNanos() > sinceNanos);
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        for (Thread t : threads) {
            t.join(REQUEST_TIMEOUT.toMillis() + 5000);
        }
    }
}
