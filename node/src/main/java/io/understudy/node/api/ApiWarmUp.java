package io.understudy.node.api;

import io.understudy.cluster.Headers;
import io.understudy.cluster.SelfUrl;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A few requests to the node's own API over loopback once it listens. A secondary's API may answer nothing until the
 * node is promoted (the switch routes to the primary only), and then the first writes it serves paid for loading and
 * first running the HTTP server's connection, parsing and response code: measured about 300 ms on a node whose API
 * had never answered, all of it inside a planned switchover's write gap. Nothing is written: a role check, a read of
 * an object that does not exist, and a PUT refused for its malformed {@code Idempotency-Key} before its body is read
 * or the write gate is asked.
 *
 * <p>Then the node's own rehearsal runs (given by the caller): the write path's code and statements against its own
 * database in transactions that always roll back, from several threads at once so that several of the pool's
 * connections (each a backend process of its own) run them, the reads a promotion makes, and the JSON codec of the
 * records a hand-over reads and writes. On the loaded two-core machine the first writes a newly promoted node served
 * took 70-140 ms longer than its later ones without a rehearsal; rehearsed on one connection, the four writes the
 * switch held in a fresh appliance's first switchover were answered 70-137 ms after their release, rehearsed on four
 * connections 58-98 ms (four appliances each).
 */
public final class ApiWarmUp {

    private static final Logger log = LoggerFactory.getLogger(ApiWarmUp.class);
    /** The object the requests read; the rehearsal's PUTs write and roll back objects named after it (and keys). */
    static final String OBJECT_ID = "understudy-warm-up";
    private static final String OBJECT = ObjectsHandler.PREFIX + "/" + OBJECT_ID;
    /** One character longer than an Idempotency-Key may be. */
    private static final String BAD_KEY = "k".repeat(256);

    private ApiWarmUp() {
    }

    /** Work that only warms code up; it changes nothing. */
    @FunctionalInterface
    public interface Rehearsal {
        void run() throws Exception;
    }

    /**
     * Starts the requests, then {@code rehearsal}, on a daemon thread and returns; failures are logged at debug level
     * and otherwise ignored.
     *
     * @param host the address the API listens on (a wildcard address is reached over loopback)
     */
    public static void start(String host, int port, String token, Rehearsal rehearsal) {
        String base = SelfUrl.of(host, port);
        Thread thread = new Thread(() -> {
            run(base, token);
            rehearse(rehearsal);
        }, "api-warm-up");
        thread.setDaemon(true);
        thread.start();
    }

    private static void rehearse(Rehearsal rehearsal) {
        long start = System.nanoTime();
        try {
            rehearsal.run();
            log.debug("rehearsed writes and promotion reads in {} ms", (System.nanoTime() - start) / 1_000_000);
        } catch (Exception e) {
            log.debug("rehearsal stopped: {}", e.toString());
        }
    }

    private static void run(String base, String token) {
        long start = System.nanoTime();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        try {
            for (int round = 0; round < 2; round++) {
                send(http, request(base + "/health", token).GET());
                send(http, request(base + OBJECT, token).GET());
                send(http, request(base + OBJECT, token).header(Headers.IDEMPOTENCY_KEY, BAD_KEY)
                        .PUT(HttpRequest.BodyPublishers.ofString("{}")));
            }
            log.debug("API warmed up in {} ms", (System.nanoTime() - start) / 1_000_000);
        } catch (java.io.IOException e) {
            log.debug("API warm-up stopped: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static HttpRequest.Builder request(String url, String token) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5));
        return token == null || token.isEmpty() ? builder : builder.header(Headers.TOKEN, token);
    }

    private static void send(HttpClient http, HttpRequest.Builder request) throws java.io.IOException, InterruptedException {
        http.send(request.build(), HttpResponse.BodyHandlers.discarding());
    }
}
