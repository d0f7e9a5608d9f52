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
        return new Entry(exchange.getSourceAddress(), nowMillis, exchange.getRequestMethod().toString(),
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
     * format it later. {@code elapsedMs} is -1 when the request's start time was not recorded.
     */
    final class Entry {
        private final InetSocketAddress source;
        private final long epochMillis;
        private final String method;
        private final String uri;
        private final String query;
        private final String protocol;
        private final int status;
        private final long bytes;
        private final String referer;
        private final String userAgent;
        private final long elapsedMs;

        Entry(InetSocketAddress source, long epochMillis, String method, String uri, String query, String protocol,
                int status, long bytes, String referer, String userAgent, long elapsedMs) {
            this.source = source;
            this.epochMillis = epochMillis;
            this.method = method;
            this.uri = uri;
            this.query = query;
            this.protocol = protocol;
            this.status = status;
            this.bytes = bytes;
            this.referer = referer;
            this.userAgent = userAgent;
            this.elapsedMs = elapsedMs;
        }

        @Override
        public String toString() {
            StringBuilder line = new StringBuilder(160);
            line.append(remoteAddress(source)).append(" - - [").append(time(epochMillis)).append("] \"")
                    .append(method).append(' ').append(uri);
            if (query != null && !query.isEmpty()) {
                line.append('?').append(query);
            }
            line.append(' ').append(protocol).append("\" ").append(status).append(' ');
            if (bytes > 0) {
                line.append(bytes);
            } else {
                line.append('-');
            }
            line.append(" \"");
            orDash(line, referer).append("\" \"");
            orDash(line, userAgent).append("\" ");
            if (elapsedMs >= 0) {
                line.append(elapsedMs).append("ms");
            } else {
                line.append("-ms");
            }
            return line.toString();
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
