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
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Small pieces every admin endpoint uses: method checks, token-checked writes, bounded JSON bodies, query numbers. */
final class AdminHttp {

    static final int MAX_BODY = 8 * 1024;
    private static final Logger log = LoggerFactory.getLogger(AdminHttp.class);

    /** What an admin write does on a worker thread, given the parsed body and who asked. */
    interface Write {
        void run(HttpServerExchange exchange, JsonNode body, String by) throws Exception;
    }

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

    /**
     * Token check on the IO thread, then the body and {@code write} on a worker thread. A body that
     * is not JSON is answered 400; anything {@code write} throws, 503 (nothing was written).
     *
     * @param identity who this switch is, for the audit trail ({@code by} is it plus the client address)
     */
    static void write(HttpServerExchange exchange, AdminAuth auth, Supplier<String> identity, Write write) {
        if (!auth.admit(exchange)) {
            return;
        }
        exchange.dispatch(ex -> {
            JsonNode body;
            try {
                body = readBody(ex);
            } catch (IOException e) {
                JsonResponses.error(ex, 400, "bad_request", "the body is not JSON: " + e.getMessage());
                return;
            }
            String by = identity.get() + " for " + ex.getSourceAddress().getAddress().getHostAddress();
            try {
                write.run(ex, body, by);
            } catch (Exception e) {
                log.warn("{} {} not written: {}", ex.getRequestMethod(), ex.getRelativePath(), e.toString());
                JsonResponses.error(ex, 503, "zookeeper_unavailable", "nothing was written: " + e.getMessage());
            }
        });
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
