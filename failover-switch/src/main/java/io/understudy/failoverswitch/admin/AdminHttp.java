package io.understudy.failoverswitch.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.understudy.cluster.ClusterJson;
import io.understudy.failoverswitch.http.JsonResponses;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.io.IOException;
import java.io.InputStream;
import java.util.Deque;

/** Small pieces every admin endpoint uses: method checks, bounded JSON bodies, query numbers. */
final class AdminHttp {

    static final int MAX_BODY = 8 * 1024;

    private AdminHttp() {
    }

    /** Runs {@code answer} when the request uses {@code method} (HEAD counts as GET), else answers 405. */
    static void ifMethod(HttpServerExchange exchange, HttpString method, Runnable answer) {
        boolean head = method.equals(Methods.GET) && exchange.getRequestMethod().equals(Methods.HEAD);
        if (exchange.getRequestMethod().equals(method) || head) {
            answer.run();
        } else {
            notAllowed(exchange, method);
        }
    }

    static void notAllowed(HttpServerExchange exchange, HttpString allowed) {
        exchange.getResponseHeaders().put(Headers.ALLOW, allowed.equals(Methods.GET) ? "GET, HEAD" : allowed.toString());
        JsonResponses.error(exchange, 405, "method_not_allowed",
                exchange.getRequestMethod() + " is not allowed on " + exchange.getRelativePath());
    }

    /** The request body as JSON, null when empty. Worker thread only (it blocks). */
    static JsonNode readBody(HttpServerExchange exchange) throws IOException {
        exchange.startBlocking();
        try (InputStream in = exchange.getInputStream()) {
            byte[] bytes = in.readNBytes(MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                throw new IOException("larger than " + MAX_BODY + " bytes");
            }
            return bytes.length == 0 ? null : ClusterJson.MAPPER.readTree(bytes);
        }
    }

    /**
     * Query parameter {@code name} as a number in {@code [1, max]}, {@code fallback} when absent.
     *
     * @throws IllegalArgumentException naming the parameter when it is not such a number
     */
    static int queryInt(HttpServerExchange exchange, String name, int fallback, int max) {
        Deque<String> values = exchange.getQueryParameters().get(name);
        if (values == null || values.isEmpty()) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(values.getFirst().trim());
            if (value >= 1 && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new IllegalArgumentException(name + " must be a whole number from 1 to " + max + ", got '" + values.getFirst() + "'");
    }
}
