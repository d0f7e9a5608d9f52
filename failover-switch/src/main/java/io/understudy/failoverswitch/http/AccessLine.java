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
 * pattern, with the time formatted once a second rather than by a {@code SimpleDateFormat} per request.
 *
 * <p>The IO thread that finished the exchange only copies the few values the line needs into an
 * {@link Entry}, an immutable value whose {@code toString} is the line: the access logger's appender
 * formats it on its writer thread, so the IO thread neither builds the text nor formats the address.
 *
 * <p>Thread-safe: each exchange has its own entry; the cached time is one immutable value.
 */
final class AccessLine implements ExchangeCompletionListener {

    private static final DateTimeFormatter COMMON_LOG_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.US);

    /** The formatted time of one second; replaced when a line of a later second is built. */
    private record Second(long epochSecond, String text) {
    }

    private final Consumer<Object> sink;
    private final ZoneId zone;
    private volatile Second second = new Second(Long.MIN_VALUE, "");

    /**
     * @param sink takes every exchange's {@link Entry} (the access logger, as its one argument); called on the IO
     *             thread that finished the exchange
     */
    AccessLine(Consumer<Object> sink, ZoneId zone) {
        this.sink = sink;
        this.zone = zone;
    }

    @Override
    public void exchangeEvent(HttpServerExchange exchange, NextListener next) {
        try {
            sink.accept(entry(exchange, System.currentTimeMillis(), System.nanoTime()));
        } finally {
            next.proceed();
        }
    }

    /** What the line of {@code exchange} says, copied from it now (the exchange is recycled once it completes). */
    Entry entry(HttpServerExchange exchange, long nowMillis, long nowNanos) {
        long start = exchange.getRequestStartTime();
        return new Entry(this, exchange.getSourceAddress(), nowMillis, exchange.getRequestMethod().toString(),
                exchange.getRequestURI(), exchange.getQueryString(), exchange.getProtocol().toString(),
                exchange.getStatusCode(), exchange.getResponseBytesSent(),
                exchange.getRequestHeaders().getFirst(Headers.REFERER),
                exchange.getRequestHeaders().getFirst(Headers.USER_AGENT), start > 0 ? (nowNanos - start) / 1_000_000 : -1);
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

    /**
     * One exchange's line, not yet text: immutable (strings, numbers and an immutable address), so any thread may
     * format it later with {@code line}'s cached time. {@code elapsedMs} is -1 when the request's start time was not
     * recorded.
     */
    record Entry(AccessLine line, InetSocketAddress source, long epochMillis, String method, String uri, String query,
                 String protocol, int status, long bytes, String referer, String userAgent, long elapsedMs) {

        @Override
        public String toString() {
            StringBuilder text = new StringBuilder(160);
            text.append(remoteAddress(source)).append(" - - [").append(line.time(epochMillis)).append("] \"")
                    .append(method).append(' ').append(uri);
            if (query != null && !query.isEmpty()) {
                text.append('?').append(query);
            }
            text.append(' ').append(protocol).append("\" ").append(status).append(' ');
            if (bytes > 0) {
                text.append(bytes);
            } else {
                text.append('-');
            }
            text.append(" \"");
            orDash(text, referer).append("\" \"");
            orDash(text, userAgent).append("\" ");
            if (elapsedMs >= 0) {
                text.append(elapsedMs).append("ms");
            } else {
                text.append("-ms");
            }
            return text.toString();
        }
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
