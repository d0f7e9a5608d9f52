package io.understudy.failoverswitch.proxy;

import io.understudy.failoverswitch.SwitchConfig.Limits;
import io.understudy.failoverswitch.http.JsonResponses;
import io.understudy.failoverswitch.proxy.RetryPolicy.Failure;
import io.undertow.client.UndertowClient;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.util.SameThreadExecutor;
import java.io.IOException;
import org.xnio.IoUtils;

/**
 * Sends client requests to the current primary (see {@link Forward} for one request's life).
 * Bodies up to {@code retryBodyBytes} are read in full first, within the shared
 * {@code maxBufferedBytes}, so they can be sent again; larger bodies, bodies of unknown length and
 * bodies that do not fit the budget are streamed and cannot be retried once they start flowing.
 * Runs on IO threads and never blocks.
 */
public final class Forwarder implements HttpHandler {

    /** Told about retries and timeouts (metrics); IO threads, must not block. */
    public interface Events {
        void retried(Failure failure);

        void timedOut();

        /** A request was abandoned at a superseded primary and could not be sent again: 503 outcome_unknown. */
        void outcomeUnknown();
    }

    private final PrimaryRouter router;
    private final Limits limits;
    private final boolean trustForwarded;
    private final String nodeToken;
    private final Events events;
    private final BodyBudget budget;
    private final UndertowClient client = UndertowClient.getInstance();

    /** @param nodeToken sent to the nodes on every request (their {@code api.token}), or null */
    public Forwarder(PrimaryRouter router, Limits limits, boolean trustForwarded, String nodeToken, Events events) {
        this.router = router;
        this.limits = limits;
        this.trustForwarded = trustForwarded;
        this.nodeToken = nodeToken;
        this.events = events;
        this.budget = new BodyBudget(limits.maxBufferedBytes());
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        if (exchange.isRequestComplete()) {
            exchange.dispatch(SameThreadExecutor.INSTANCE, () -> new Forward(this, exchange, null, false, 0).start());
            return;
        }
        long length = exchange.getRequestContentLength();
        if (length > limits.maxBodyBytes()) {
            exchange.setPersistent(false);
            JsonResponses.error(exchange, 413, "body_too_large", "the request body (" + length
                    + " bytes) is larger than " + limits.maxBodyBytes() + " bytes");
            return;
        }
        if (length >= 0 && length <= limits.retryBodyBytes() && budget.reserve(length)) {
            // the receiver calls back as a root handler when the body arrives in a later read: dispatch
            // again, or Undertow ends the exchange (empty 200) when the callback returns
            exchange.dispatch(SameThreadExecutor.INSTANCE, () -> exchange.getRequestReceiver().receiveFullBytes(
                    (ex, bytes) -> ex.dispatch(SameThreadExecutor.INSTANCE,
                            () -> new Forward(this, ex, bytes, false, length).start()),
                    (ex, e) -> {
                        budget.release(length);
                        bodyFailed(ex, e);
                    }));
            return;
        }
        exchange.dispatch(SameThreadExecutor.INSTANCE, () -> new Forward(this, exchange, null, true, 0).start());
    }

    private void bodyFailed(HttpServerExchange exchange, IOException e) {
        if (e instanceof RequestTooBigException) {
            exchange.setPersistent(false);
            JsonResponses.error(exchange, 413, "body_too_large", "the request body is larger than "
                    + limits.maxBodyBytes() + " bytes");
        } else {
            IoUtils.safeClose(exchange.getConnection());
        }
    }

    PrimaryRouter router() {
        return router;
    }

    UndertowClient client() {
        return client;
    }

    BodyBudget budget() {
        return budget;
    }

    /** Bytes of bodies kept for retries right now. */
    public long bufferedBytes() {
        return budget.used();
    }

    int backendTimeoutMs() {
        return limits.backendTimeoutMs();
    }

    int oldPrimaryGraceMs() {
        return limits.oldPrimaryGraceMs();
    }

    void outcomeUnknown() {
        events.outcomeUnknown();
    }

    long maxBodyBytes() {
        return limits.maxBodyBytes();
    }

    boolean trustForwarded() {
        return trustForwarded;
    }

    String nodeToken() {
        return nodeToken;
    }

    void retried(Failure failure) {
        events.retried(failure);
    }

    void timedOut() {
        events.timedOut();
    }
}
