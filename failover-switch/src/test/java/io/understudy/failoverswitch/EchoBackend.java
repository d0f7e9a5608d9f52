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

    EchoBackend(String name) {
        this.name = name;
        this.server = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .setIoThreads(1)
                .setWorkerThreads(1)
                .setHandler(exchange -> {
                    ServerConnection connection = exchange.getConnection();
                    if (open.add(connection)) {
                        connection.addCloseListener(open::remove);
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
        body.put("body", received);
        exchange.getResponseHeaders().put(io.undertow.util.Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseSender().send(ClusterJson.toString(body));
    }

    String name() {
        return name;
    }

    String url() {
        int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
        return "http://127.0.0.1:" + port;
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
