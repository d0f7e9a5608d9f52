package io.understudy.failoverswitch.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;

/**
 * Enforces {@code switch.maxHeaderBytes} with a proper 431. Undertow's own limit answers a bare 400,
 * so the listener's hard limit is set higher ({@link #hardLimit}) and this check, on the parsed
 * request, answers 431 for heads between the two.
 */
public final class HeadSize {

    private HeadSize() {
    }

    /** What Undertow itself is told: above it the connection gets Undertow's 400. */
    public static int hardLimit(int maxHeaderBytes) {
        return maxHeaderBytes * 2 + 8192;
    }

    /** Approximate bytes of the request line and headers as sent (names, values, separators). */
    public static long of(HttpServerExchange exchange) {
        long size = exchange.getRequestMethod().length() + exchange.getRequestURI().length()
                + exchange.getQueryString().length() + 12;
        for (HeaderValues values : exchange.getRequestHeaders()) {
            int name = values.getHeaderName().length() + 4;
            for (int i = 0; i < values.size(); i++) {
                size += name + values.get(i).length();
            }
        }
        return size;
    }

    /** Answers 431 and returns false when the head is larger than {@code max}. */
    public static boolean admit(HttpServerExchange exchange, int max) {
        long size = of(exchange);
        if (size <= max) {
            return true;
        }
        exchange.setPersistent(false);
        JsonResponses.error(exchange, 431, "headers_too_large", "the request head is about " + size
                + " bytes; at most " + max + " are accepted");
        return false;
    }
}
