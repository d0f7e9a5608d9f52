package io.understudy.node.api;

import io.understudy.cluster.ClusterJson;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/** JSON answers. Errors are always {@code {"error": code, "message": text, ...}}, never a stack trace. */
final class Responses {

    /** The most of a refused body the node reads and drops to keep its connection open. */
    static final long DRAIN_LIMIT = 64L << 20;

    private Responses() {
    }

    static void json(HttpServerExchange exchange, int status, Object body) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseSender().send(ByteBuffer.wrap(ClusterJson.toBytes(body)));
    }

    static void error(HttpServerExchange exchange, int status, String code, String message) {
        error(exchange, status, code, message, Map.of());
    }

    static void error(HttpServerExchange exchange, int status, String code, String message, Map<String, ?> extra) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", code);
        body.put("message", message);
        body.putAll(extra);
        json(exchange, status, body);
    }

    /**
     * 413 for a body that is read no further. A body of declared length up to {@link #DRAIN_LIMIT}
     * is read and dropped after the answer (Undertow drains what is left when the exchange ends), so
     * the connection stays usable: closing it while the client is still sending would make the
     * kernel reset it, and the client could lose this answer with it. Anything else (a larger or
     * a chunked body) closes the connection after the answer, or the client's next request would
     * follow the unread bytes.
     */
    static void tooLarge(HttpServerExchange exchange, String message) {
        long declared = exchange.getRequestContentLength();
        if (declared >= 0 && declared <= DRAIN_LIMIT && exchange.isRequestChannelAvailable()) {
            exchange.setMaxEntitySize(declared);
        } else {
            exchange.setPersistent(false);
        }
        error(exchange, 413, "too_large", message);
    }

    static String quote(String etag) {
        return "\"" + etag + "\"";
    }

    /** {@code "abc"} or {@code W/"abc"} → {@code abc}; {@code *} stays; null stays null. */
    static String unquote(String header) {
        if (header == null) {
            return null;
        }
        String h = header.trim();
        if (h.startsWith("W/")) {
            h = h.substring(2);
        }
        if (h.length() >= 2 && h.startsWith("\"") && h.endsWith("\"")) {
            h = h.substring(1, h.length() - 1);
        }
        return h;
    }
}
