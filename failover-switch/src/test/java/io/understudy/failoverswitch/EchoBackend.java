package io.understudy.failoverswitch;

import io.understudy.cluster.ClusterJson;
import io.understudy.cluster.Headers;
import io.undertow.Undertow;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ServerConnection;
import io.undertow.util.SameThreadExecutor;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A tiny real node stand-in on loopback: answers JSON saying who it is and what it received. */
final class EchoBackend implements AutoCloseable {

    private final String name;
    private final Undertow server;
    private final Set<ServerConnection> open = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();

    EchoBackend(String name) {
        this.name = name;
        this.server = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .setIoThreads(1)
                .setWorkerThreads(4)
                .setServerOption(io.undertow.UndertowOptions.MAX_ENTITY_SIZE, 1L << 30)
                .setHandler(exchange -> {
                    ServerConnection connection = exchange.getConnection();
                    if (open.add(connection)) {
                        accepted.incrementAndGet();
                        connection.addCloseListener(open::remove);
                    }
                    if (exchange.getRequestPath().equals("/sink") || exchange.getRequestPath().equals("/source")) {
                        exchange.dispatch(EchoBackend::stream);
                        return;
                    }
                    if (exchange.getRequestPath().equals("/hang")) {
                        exchange.dispatch(SameThreadExecutor.INSTANCE, () -> { }); // never answers
                        return;
                    }
                    exchange.getRequestReceiver().receiveFullString((ex, received) -> answer(ex, received));
                })
                .build();
        server.start();
    }

    private void answer(HttpServerExchange exchange, String received) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("epoch", exchange.getRequestHeaders().getFirst(Headers.EPOCH));
        body.put("epochHeaders", exchange.getRequestHeaders().count(Headers.EPOCH));
        body.put("method", exchange.getRequestMethod().toString());
        body.put("path", exchange.getRequestPath());
        body.put("query", exchange.getQueryString());
        body.put("xForwardedFor", exchange.getRequestHeaders().getFirst("X-Forwarded-For"));
        body.put("xForwardedProto", exchange.getRequestHeaders().getFirst("X-Forwarded-Proto"));
        body.put("xForwardedHost", exchange.getRequestHeaders().getFirst("X-Forwarded-Host"));
        body.put("token", exchange.getRequestHeaders().getFirst(Headers.TOKEN));
        body.put("body", received);
        exchange.getResponseHeaders().put(io.undertow.util.Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseSender().send(ClusterJson.toString(body));
    }

    /** /sink digests the body as it streams in; /source?bytes=N streams N pseudo-random bytes (seed 7). */
    private static void stream(HttpServerExchange exchange) throws Exception {
        exchange.startBlocking();
        if (exchange.getRequestPath().equals("/sink")) {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            long bytes = 0;
            byte[] buffer = new byte[65536];
            try (java.io.InputStream in = exchange.getInputStream()) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    sha.update(buffer, 0, n);
                    bytes += n;
                }
            }
            exchange.getResponseSender().send("{\"bytes\":" + bytes + ",\"sha256\":\""
                    + java.util.HexFormat.of().formatHex(sha.digest()) + "\"}");
            return;
        }
        int size = Integer.parseInt(exchange.getQueryParameters().get("bytes").getFirst());
        byte[] data = new byte[size];
        new java.util.Random(7).nextBytes(data);
        exchange.getResponseHeaders().put(io.undertow.util.Headers.CONTENT_TYPE, "application/octet-stream");
        try (java.io.OutputStream out = exchange.getOutputStream()) {
            for (int off = 0; off < size; off += 65536) {
                out.write(data, off, Math.min(65536, size - off));
            }
        }
    }

    String name() {
        return name;
    }

    String url() {
        int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
        return "http://127.0.0.1:" + port;
    }

    /** Connections the switch ever opened to this backend. */
    int acceptedConnections() {
        return accepted.get();
    }

    /** Connections the switch holds open to this backend right now. */
    int openConnections() {
        return open.size();
    }

    @Override
    public void close() {
        server.stop();
    }
}
