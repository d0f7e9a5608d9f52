package io.understudy.failoverswitch.proxy;

import io.understudy.failoverswitch.http.JsonResponses;
import io.undertow.attribute.ExchangeAttribute;
import io.undertow.attribute.ReadOnlyAttributeException;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.proxy.ProxyHandler;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.SameThreadExecutor;
import java.util.function.Function;

/**
 * Forwards client traffic to the current primary through Undertow's {@link ProxyHandler}, or
 * holds it while there is none.
 *
 * <p>Headers: the client's {@code X-Understudy-Epoch} is dropped and replaced by the epoch of
 * the backend the request is actually sent to; {@code X-Forwarded-For} and
 * {@code X-Forwarded-Proto} are set by ProxyHandler (client values are overwritten: the switch is
 * the edge), {@code X-Forwarded-Host} is the client's {@code Host} (with its port).
 */
public final class ForwardingHandler implements HttpHandler {

    private static final HttpString EPOCH = HttpString.tryFromString(io.understudy.cluster.Headers.EPOCH);

    private final HoldQueue holds;
    private final ProxyHandler proxy;

    /** @param backendTimeoutMs upper bound for one forwarded request (504 after it) */
    public ForwardingHandler(PrimaryProxyClient client, int backendTimeoutMs) {
        this.holds = client.holds();
        this.proxy = ProxyHandler.builder()
                .setProxyClient(client)
                .setMaxRequestTime(backendTimeoutMs)
                .setRewriteHostHeader(false)
                .setReuseXForwarded(false)
                .addRequestHeader(EPOCH, new Computed(ForwardingHandler::epochOf))
                .setNext(this::holdForPrimary)
                .build();
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        exchange.addDefaultResponseListener(ForwardingHandler::renderProxyError);
        HeaderMap headers = exchange.getRequestHeaders();
        headers.remove(EPOCH);
        // ProxyHandler keeps an inbound X-Forwarded-Host and otherwise sends the host without its port
        String host = headers.getFirst(Headers.HOST);
        if (host == null) {
            headers.remove(Headers.X_FORWARDED_HOST);
        } else {
            headers.put(Headers.X_FORWARDED_HOST, host);
        }
        proxy.handleRequest(exchange);
    }

    /** ProxyHandler found no target: park the exchange once this handler call has returned. */
    private void holdForPrimary(HttpServerExchange exchange) {
        exchange.dispatch(SameThreadExecutor.INSTANCE,
                () -> holds.hold(exchange, null, (held, backend) -> held.dispatch(held.getIoThread(), proxy)));
    }

    /**
     * Gives ProxyHandler's own bare error statuses a JSON body. Backend responses never reach this:
     * ProxyHandler takes the response channel for them, and this answers only while it is unused.
     */
    private static boolean renderProxyError(HttpServerExchange exchange) {
        if (exchange.isResponseStarted() || !exchange.isResponseChannelAvailable()) {
            return false;
        }
        Backend backend = exchange.getAttachment(PrimaryProxyClient.BACKEND);
        String primary = backend == null ? "the primary" : "primary " + backend.label();
        int status = exchange.getStatusCode();
        switch (status) {
            case 504 -> JsonResponses.error(exchange, 504, "backend_timeout",
                    primary + " did not answer in time");
            case 503 -> JsonResponses.error(exchange, 503, "backend_unavailable",
                    primary + " could not complete the request; it may or may not have been applied");
            default -> JsonResponses.error(exchange, status, "proxy_error",
                    "the switch could not forward the request to " + primary);
        }
        return true;
    }

    private static String epochOf(HttpServerExchange exchange) {
        Backend backend = exchange.getAttachment(PrimaryProxyClient.BACKEND);
        return backend == null ? null : Long.toString(backend.epoch());
    }

    /** A request header computed per exchange; null or empty removes the header. */
    private record Computed(Function<HttpServerExchange, String> value) implements ExchangeAttribute {

        @Override
        public String readAttribute(HttpServerExchange exchange) {
            return value.apply(exchange);
        }

        @Override
        public void writeAttribute(HttpServerExchange exchange, String newValue) throws ReadOnlyAttributeException {
            throw new ReadOnlyAttributeException();
        }
    }
}
