package io.understudy.failoverswitch;

import io.understudy.cluster.ClusterJson;
import io.understudy.cluster.Headers;
import io.undertow.Undertow;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on loopback that behaves like a node towards the switch: it refuses a
 * request stamped with another epoch (421 epoch_mismatch), refuses writes while its write gate is
 * closed (503 not_primary), deduplicates writes carrying an Idempotency-Key in a {@link Store}
 * shared with its peer (the node's replicated key table), and stamps who answered.
 */
final class FakeNode implements AutoCloseable {

    /** What the nodes' replicated database holds: applied writes and remembered keyed answers. */
    static final class Store {
        /** Times each write (by path) was executed. */
        final Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();
        final Map<String, String> answers = new ConcurrentHashMap<>();
    }

    private static final HttpString EPOCH = new HttpString(Headers.EPOCH);

    private final String nodeId;
    private final Store store;
    private final Undertow server;
    private volatile long epoch;
    private volatile boolean gateOpen;
    private final AtomicBoolean crashOnNextWrite = new AtomicBoolean();
    private final AtomicInteger served = new AtomicInteger();
    private final String url;
    private volatile boolean crashed;

    FakeNode(String nodeId, Store store) {
        this.nodeId = nodeId;
        this.store = store;
        this.server = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .setIoThreads(1)
                .setWorkerThreads(8)
                .setHandler(exchange -> exchange.dispatch(this::handle))
                .build();
        server.start();
        url = "http://127.0.0.1:" + ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    }

    String url() {
        return url;
    }

    boolean crashed() {
        return crashed;
    }

    /** Opens the write gate in {@code newEpoch} (what promotion does before /primary is written). */
    void promote(long newEpoch) {
        epoch = newEpoch;
        gateOpen = true;
    }

    /** Closes the write gate first, as a node does when it starts to demote. */
    void demote() {
        gateOpen = false;
    }

    /** The next write is executed, then the process "dies": no answer, and the port stops listening. */
    void crashOnNextWrite() {
        crashOnNextWrite.set(true);
    }

    int served() {
        return served.get();
    }

    private void handle(HttpServerExchange exchange) throws IOException {
        exchange.startBlocking();
        byte[] body = exchange.getInputStream().readAllBytes();
        exchange.getResponseHeaders().put(new HttpString(Headers.NODE), nodeId);
        exchange.getResponseHeaders().put(new HttpString(Headers.SERVED_EPOCH), epoch);
        String stamped = exchange.getRequestHeaders().getFirst(EPOCH);
        if (stamped != null && (epoch == 0 || Long.parseLong(stamped) != epoch)) {
            answer(exchange, 421, Map.of("error", "epoch_mismatch", "message", nodeId + " is not the primary of epoch "
                    + stamped));
            return;
        }
        boolean write = !exchange.getRequestMethod().equals(Methods.GET) && !exchange.getRequestMethod().equals(Methods.HEAD);
        if (!write) {
            served.incrementAndGet();
            answer(exchange, 200, Map.of("node", nodeId, "epoch", epoch, "path", exchange.getRequestPath()));
            return;
        }
        if (!gateOpen) {
            exchange.getResponseHeaders().put(io.undertow.util.Headers.RETRY_AFTER, "1");
            answer(exchange, 503, Map.of("error", "not_primary", "message", nodeId + " does not accept writes"));
            return;
        }
        String key = exchange.getRequestHeaders().getFirst(Headers.IDEMPOTENCY_KEY);
        String reply;
        boolean replayed = false;
        synchronized (store) {
            String earlier = key == null ? null : store.answers.get(key);
            if (earlier != null) {
                reply = earlier;
                replayed = true;
            } else {
                store.executions.computeIfAbsent(exchange.getRequestPath(), p -> new AtomicInteger()).incrementAndGet();
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("node", nodeId);
                result.put("epoch", epoch);
                result.put("path", exchange.getRequestPath());
                result.put("bytes", body.length);
                reply = ClusterJson.toString(result);
                if (key != null) {
                    store.answers.put(key, reply);
                }
            }
        }
        if (crashOnNextWrite.compareAndSet(true, false)) {
            gateOpen = false;
            crashed = true;
            exchange.getConnection().close();
            new Thread(server::stop, "crash-" + nodeId).start();
            return;
        }
        served.incrementAndGet();
        if (replayed) {
            exchange.getResponseHeaders().put(new HttpString("Idempotency-Replayed"), "true");
        }
        exchange.getResponseHeaders().put(io.undertow.util.Headers.CONTENT_TYPE, "application/json");
        exchange.setStatusCode(200);
        exchange.getResponseSender().send(reply);
    }

    private static void answer(HttpServerExchange exchange, int status, Map<String, ?> body) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(io.undertow.util.Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseSender().send(new String(ClusterJson.toBytes(body), StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        server.stop();
    }
}
