package io.understudy.failoverswitch.admin;

import io.understudy.failoverswitch.http.JsonResponses;
import io.understudy.failoverswitch.routing.ZkLink;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The switch's own endpoints under {@code /_understudy/}. Read-only and unauthenticated for now;
 * issue 4 adds the token-protected operations (switchover, drills, pause) and metrics here.
 * Runs on the IO thread: every answer is built from in-memory state.
 */
public final class AdminHandler implements HttpHandler {

    public static final String PREFIX = "/_understudy";

    private final Supplier<StatusReport> status;
    private final Supplier<ZkLink> link;

    public AdminHandler(Supplier<StatusReport> status, Supplier<ZkLink> link) {
        this.status = status;
        this.link = link;
    }

    /** True for every path this handler owns, so none of them is ever forwarded to a node. */
    public static boolean owns(String path) {
        return path.equals(PREFIX) || path.startsWith(PREFIX + "/");
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        String path = exchange.getRelativePath();
        switch (path) {
            case PREFIX + "/status" -> ifGet(exchange, () -> JsonResponses.send(exchange, 200, status.get()));
            case PREFIX + "/health" -> ifGet(exchange, () -> health(exchange));
            default -> JsonResponses.error(exchange, 404, "not_found", "no switch endpoint " + path
                    + " (known: " + PREFIX + "/status, " + PREFIX + "/health)");
        }
    }

    private void health(HttpServerExchange exchange) {
        ZkLink now = link.get();
        if (now == ZkLink.CONNECTED) {
            JsonResponses.send(exchange, 200, Map.of("status", "UP"));
        } else {
            JsonResponses.send(exchange, 503, Map.of("status", "DOWN", "zookeeper", now.name()));
        }
    }

    private static void ifGet(HttpServerExchange exchange, Runnable answer) {
        if (exchange.getRequestMethod().equals(Methods.GET) || exchange.getRequestMethod().equals(Methods.HEAD)) {
            answer.run();
        } else {
            exchange.getResponseHeaders().put(Headers.ALLOW, "GET, HEAD");
            JsonResponses.error(exchange, 405, "method_not_allowed",
                    exchange.getRequestMethod() + " is not allowed on " + exchange.getRelativePath());
        }
    }
}
