package io.understudy.node.api;

import io.understudy.cluster.Headers;
import io.understudy.node.app.GatewaySettings;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * The gateway's side towards the application: the request it sends, built from the client's (end-to-end headers
 * kept, the client's {@code Host} included, so the application builds links to the address clients use;
 * {@code X-Forwarded-*} extended; {@code X-Understudy-Epoch} set to the epoch the request was admitted in, which the
 * application may use as a fencing token of its own), and the headers of its answer that may reach the client.
 * Never retries, follows redirects, keeps cookies or decodes content on its own. Thread-safe.
 */
final class AppClient implements AutoCloseable {

    /** How an attempt at the application failed. */
    enum Failure {
        /** No connection could be made: the application never saw the request. */
        UNREACHED,
        /** No complete answer within {@code app.timeoutMs}: it may have been applied. */
        TIMEOUT,
        /** The connection broke after the request was sent: it may have been applied. */
        BROKEN
    }

    /** Hop-by-hop, framing set per hop, or owned by the gateway: never copied from the client (lower case). */
    private static final Set<String> REQUEST_SKIP = Set.of("connection", "keep-alive", "proxy-connection", "te", "trailer",
            "upgrade", "expect", "transfer-encoding", "content-length", "proxy-authorization",
            Headers.EPOCH.toLowerCase(Locale.ROOT));
    /** Hop-by-hop, or the gateway's to set: never copied from the application (lower case). */
    private static final Set<String> RESPONSE_SKIP = Set.of("connection", "keep-alive", "proxy-connection", "te", "trailer",
            "upgrade", "transfer-encoding", "proxy-authenticate");
    private static final String OWN_PREFIX = "x-understudy-";

    private final URI base;
    private final long timeoutMs;
    private final CloseableHttpClient http;
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "app-deadlines");
        thread.setDaemon(true);
        return thread;
    });

    AppClient(GatewaySettings settings, int maxConnections) {
        this.base = settings.url();
        this.timeoutMs = settings.timeoutMs();
        Timeout timeout = Timeout.ofMilliseconds(settings.timeoutMs());
        this.http = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setMaxConnTotal(maxConnections)
                        .setMaxConnPerRoute(maxConnections)
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.ofMilliseconds(Math.min(settings.timeoutMs(), 5000)))
                                .setSocketTimeout(timeout)
                                // a connection the application closed while idle is found out before it is used
                                .setValidateAfterInactivity(TimeValue.ofMilliseconds(200))
                                .build())
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom().setConnectionRequestTimeout(timeout)
                        .setResponseTimeout(timeout).build())
                .evictIdleConnections(TimeValue.ofSeconds(30))
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .disableContentCompression()
                .disableAuthCaching()
                .disableDefaultUserAgent()
                .build();
    }

    /** An exchange with the application whose answer has begun: status and headers are here, the body follows. */
    static final class Call implements AutoCloseable {
        final ClassicHttpResponse response;
        private final ScheduledFuture<?> deadline;

        private Call(ClassicHttpResponse response, ScheduledFuture<?> deadline) {
            this.response = response;
            this.deadline = deadline;
        }

        /** Ends the exchange; an answer not read to its end closes the connection instead of returning it. */
        @Override
        public void close() throws IOException {
            deadline.cancel(false);
            response.close();
        }
    }

    /** The attempt failed before the answer began; {@link #failure} says whether the application may have seen it. */
    static final class Failed extends IOException {
        final Failure failure;

        Failed(Failure failure, IOException cause) {
            super(cause.toString(), cause);
            this.failure = failure;
        }
    }

    /**
     * The client's request as sent to the application.
     *
     * @param body the body read in full, or null to stream it from the client as the application reads it
     */
    HttpUriRequestBase request(HttpServerExchange exchange, long epoch, byte[] body) {
        String query = exchange.getQueryString();
        String path = pathOf(exchange);
        URI target = URI.create(base.toString() + path + (query.isEmpty() ? "" : "?" + query));
        HttpUriRequestBase request = new HttpUriRequestBase(exchange.getRequestMethod().toString(), target);
        HeaderMap in = exchange.getRequestHeaders();
        Set<String> connectionTokens = connectionTokens(in.get(io.undertow.util.Headers.CONNECTION));
        for (HeaderValues values : in) {
            String name = values.getHeaderName().toString();
            String lower = name.toLowerCase(Locale.ROOT);
            if (!REQUEST_SKIP.contains(lower) && !connectionTokens.contains(lower) && !lower.startsWith("x-forwarded-")) {
                values.forEach(v -> request.addHeader(name, v));
            }
        }
        request.setHeader(Headers.EPOCH, Long.toString(epoch));
        forwarded(exchange, in, request);
        long length = exchange.getRequestContentLength();
        boolean chunked = in.contains(io.undertow.util.Headers.TRANSFER_ENCODING);
        if (body != null) {
            request.setEntity(new ByteArrayEntity(body, null));
        } else if (length >= 0 || chunked) {
            request.setEntity(new InputStreamEntity(exchange.getInputStream(), chunked ? -1 : length, null));
        }
        return request;
    }

    /** Sends {@code request} and waits for the answer to begin, within {@code app.timeoutMs} for the whole exchange. */
    Call call(HttpUriRequestBase request) throws Failed {
        ScheduledFuture<?> deadline = deadlines.schedule(request::cancel, timeoutMs, TimeUnit.MILLISECONDS);
        try {
            return new Call(http.executeOpen(null, request, null), deadline);
        } catch (IOException e) {
            deadline.cancel(false);
            throw new Failed(classify(e, request.isCancelled()), e);
        } catch (RuntimeException e) {
            deadline.cancel(false);
            throw e;
        }
    }

    /** Whether the application can have seen a request whose attempt ended with {@code e}. Pure. */
    static Failure classify(IOException e, boolean timedOut) {
        if (e instanceof ConnectException || e instanceof ConnectTimeoutException
                || e instanceof ConnectionRequestTimeoutException) {
            return Failure.UNREACHED; // refused, no connection in time, or none free in the pool: nothing was sent
        }
        if (timedOut || e instanceof java.net.SocketTimeoutException || e instanceof InterruptedIOException) {
            return Failure.TIMEOUT;
        }
        return Failure.BROKEN;
    }

    /** The application's answer headers that may reach the client: end-to-end ones, none claiming to be the node's. */
    static List<Map.Entry<String, String>> relayedHeaders(Header[] headers) {
        Set<String> connectionTokens = new HashSet<>();
        for (Header h : headers) {
            if (h.getName().equalsIgnoreCase("connection")) {
                connectionTokens.addAll(connectionTokens(List.of(h.getValue())));
            }
        }
        List<Map.Entry<String, String>> out = new ArrayList<>();
        for (Header h : headers) {
            String lower = h.getName().toLowerCase(Locale.ROOT);
            if (!RESPONSE_SKIP.contains(lower) && !connectionTokens.contains(lower) && !lower.startsWith(OWN_PREFIX)) {
                out.add(Map.entry(h.getName(), h.getValue()));
            }
        }
        return out;
    }

    /** The path as the client sent it (still percent-encoded), without the scheme and host of an absolute form. */
    private static String pathOf(HttpServerExchange exchange) {
        String uri = exchange.getRequestURI();
        if (exchange.isHostIncludedInRequestURI()) {
            int scheme = uri.indexOf("//");
            int path = scheme < 0 ? -1 : uri.indexOf('/', scheme + 2);
            uri = path < 0 ? "/" : uri.substring(path);
        }
        return uri;
    }

    /** Headers the {@code Connection} header names are hop-by-hop too (lower case). */
    private static Set<String> connectionTokens(Iterable<String> connectionValues) {
        Set<String> tokens = new HashSet<>();
        if (connectionValues != null) {
            for (String value : connectionValues) {
                for (String token : value.split(",")) {
                    tokens.add(token.trim().toLowerCase(Locale.ROOT));
                }
            }
        }
        return tokens;
    }

    /**
     * {@code X-Forwarded-For} gets the peer appended (the switch, which put the client's address first);
     * {@code -Proto}, {@code -Host} and {@code -Port} keep what the switch said, else describe this hop.
     */
    private static void forwarded(HttpServerExchange exchange, HeaderMap in, HttpUriRequestBase out) {
        InetSocketAddress peer = exchange.getSourceAddress();
        String peerAddress = peer == null || peer.getAddress() == null ? "unknown" : peer.getAddress().getHostAddress();
        String prior = in.getFirst(io.undertow.util.Headers.X_FORWARDED_FOR);
        out.setHeader("X-Forwarded-For", prior == null || prior.isBlank() ? peerAddress : prior + ", " + peerAddress);
        copyOr(in, out, "X-Forwarded-Proto", exchange.getRequestScheme());
        copyOr(in, out, "X-Forwarded-Host", in.getFirst(io.undertow.util.Headers.HOST));
        copyOr(in, out, "X-Forwarded-Port", Integer.toString(exchange.getHostPort()));
    }

    private static void copyOr(HeaderMap in, HttpUriRequestBase out, String name, String own) {
        String prior = in.getFirst(name);
        String value = prior != null && !prior.isBlank() ? prior : own;
        if (value != null) {
            out.setHeader(name, value);
        }
    }

    @Override
    public void close() throws IOException {
        deadlines.shutdownNow();
        http.close();
    }
}
