package io.understudy.failoverswitch.http;

import io.understudy.cluster.ClusterJson;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import org.xnio.IoUtils;

/** The switch's own answers: JSON bodies, {@code {"error","message"}} for every error. */
public final class JsonResponses {

    /** Seconds a client should wait before retrying after a 503 from the switch. */
    public static final int RETRY_AFTER_SECONDS = 1;

    /** Error body for every 4xx/5xx the switch itself produces. */
    public record ErrorBody(String error, String message) {
    }

    /** The 503 body while there is no primary: tells clients when to come back. */
    public record NoPrimaryBody(String error, String message, int retryAfterSeconds) {
    }

    private JsonResponses() {
    }

    /** Sends {@code body} as JSON and ends the exchange. Any thread that may write to the exchange. */
    public static void send(HttpServerExchange exchange, int status, Object body) {
        if (exchange.isResponseStarted()) {
            // a half-sent response cannot be turned into an error; the client sees the connection end
            IoUtils.safeClose(exchange.getConnection());
            return;
        }
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseSender().send(ClusterJson.toString(body));
    }

    public static void error(HttpServerExchange exchange, int status, String code, String message) {
        send(exchange, status, new ErrorBody(code, message));
    }

    /** 503 with {@code Retry-After}: no live primary could take the request in time. */
    public static void noPrimary(HttpServerExchange exchange, String message) {
        if (!exchange.isResponseStarted()) {
            exchange.getResponseHeaders().put(Headers.RETRY_AFTER, RETRY_AFTER_SECONDS);
        }
        send(exchange, 503, new NoPrimaryBody("no_primary", message, RETRY_AFTER_SECONDS));
    }
}
