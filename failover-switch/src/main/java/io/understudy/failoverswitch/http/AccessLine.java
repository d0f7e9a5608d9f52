package io.understudy.failoverswitch.http;

import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The access log's line for one finished exchange: Apache "combined" plus the response time,
 * {@code 127.0.0.1 - - [02/Dec/2026:17:23:49 +0000] "GET /a?b=1 HTTP/1.1" 200 23 "-" "curl/8.5" 10ms}
 * (remote address, user, time, request line, status, body bytes or "-", Referer, User-Agent, ms
 * since the request started). The same text Undertow's {@code AccessLogHandler} wrote for that
 * pattern, built in one {@link StringBuilder} with the time formatted once a second rather than by
 * a {@code SimpleDateFormat} per request.
 *
 * <p>Thread-safe: each call builds its own line; the cached time is one immutable value.
 */
final class AccessLine implements ExchangeCompletionListener {

    private static final DateTimeFormatter COMMON_LOG_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.US);

    /** The formatted time of one second; replaced when a line of a later second is built. */
    private record Second(long epochSecond, String text) {
    }

    private final Consumer<String> sink;
    private final ZoneId zone;
    private volatile Second second = new Second(Long.MIN_VALUE, "");

    /** @param sink takes every line (the access logger); called on the IO thread that finished the exchange */
    AccessLine(Consumer<String> sink, ZoneId zone) {
        this.sink = sink;
        this.zone = zone;
    }

    @Override
    public void exchangeEvent(HttpServerExchange exchange, NextListener next) {
        try {
            sink.accept(build(exchange, System.currentTimeMillis(), System.nanoTime()));
        } finally {
            next.proceed();
        }
    }

    String build(HttpServerExchange exchange, long nowMillis, long nowNanos) {
        StringBuilder line = new StringBuilder(160);
        line.append(remoteAddress(exchange.getSourceAddress())).append(" - - [").append(time(nowMillis)).append("] \"")
                .append(exchange.getRequestMethod()).append(' ').append(exchange.getRequestURI());
        String query = exchange.getQueryString();
        if (!query.isEmpty()) {
            line.append('?').append(query);
        }
        line.append(' ').append(exchange.getProtocol()).append("\" ").append(exchange.getStatusCode()).append(' ');
        long bytes = exchange.getResponseBytesSent();
        if (bytes > 0) {
            line.append(bytes);
        } else {
            line.append('-');
        }
        line.append(" \"");
        orDash(line, exchange.getRequestHeaders().getFirst(Headers.REFERER)).append("\" \"");
        orDash(line, exchange.getRequestHeaders().getFirst(Headers.USER_AGENT)).append("\" ");
        long start = exchange.getRequestStartTime();
        if (start > 0) {
            line.append((nowNanos - start) / 1_000_000).append("ms");
        } else {
            line.append("-ms");
        }
        return line.toString();
    }

    /** The common log format's time of {@code epochMillis} in this line's zone, formatted once per second. */
    String time(long epochMillis) {
        long epochSecond = Math.floorDiv(epochMillis, 1000);
        Second cached = second;
        if (cached.epochSecond() != epochSecond) {
            cached = new Second(epochSecond, COMMON_LOG_TIME.format(Instant.ofEpochSecond(epochSecond).atZone(zone)));
            second = cached;
        }
        return cached.text();
    }

    private static String remoteAddress(InetSocketAddress source) {
        if (source == null) {
            return "-";
        }
        InetAddress address = source.getAddress();
        return address == null ? source.getHostString() : address.getHostAddress();
    }

    private static StringBuilder orDash(StringBuilder line, String value) {
        return value == null || value.isEmpty() ? line.append('-') : line.append(value);
    }
}
