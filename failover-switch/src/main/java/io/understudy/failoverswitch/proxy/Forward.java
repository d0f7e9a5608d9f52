package io.understudy.failoverswitch.proxy;

import io.understudy.failoverswitch.http.JsonResponses;
import io.understudy.failoverswitch.proxy.RetryPolicy.Failure;
import io.understudy.failoverswitch.proxy.RetryPolicy.Move;
import io.understudy.failoverswitch.proxy.RetryPolicy.Verdict;
import io.undertow.client.ClientCallback;
import io.undertow.client.ClientConnection;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;

/**
 * One client request on its way to the primary: {@link Attempt}s, retries and holds, until exactly
 * one response (the node's, or the switch's own error) goes back to the client. Where a failed
 * attempt leads is {@link RetryPolicy#next}'s decision; this class only carries it out.
 *
 * <p>Threading: everything runs on the exchange's IO thread (callbacks of connections opened on
 * it, its timers, tasks the hold queue resumes on it), so the fields need no synchronisation.
 */
final class Forward implements ExchangeCompletionListener {

    private static final Logger log = LoggerFactory.getLogger(Forward.class);
    /** A request head goes out in one write; Nagle would only hold back a body written after it. */
    private static final OptionMap BACKEND_OPTIONS = OptionMap.create(Options.TCP_NODELAY, true);

    private final Forwarder owner;
    private final HttpServerExchange exchange;
    /** The whole body when it is kept for retries, else null. */
    private final byte[] body;
    /** The body is read from the client while it is sent (too large or too many bytes kept). */
    private final boolean streamed;
    private final long reservedBytes;
    private boolean bodyGone;
    private int attempts;
    /** Times this request was held to go to the same primary again after a back-off (see {@link RetryPolicy#MAX_ATTEMPTS}). */
    private int pacedRetries;
    private Attempt attempt;
    /** This request in the hold queue; made the first time it waits. */
    private ExchangeWaiter waiter;

    Forward(Forwarder owner, HttpServerExchange exchange, byte[] body, boolean streamed, long reservedBytes) {
        this.owner = owner;
        this.exchange = exchange;
        this.body = body;
        this.streamed = streamed;
        this.reservedBytes = reservedBytes;
        exchange.addExchangeCompleteListener(this);
    }

    /** Sends to the current primary, or holds until there is one. */
    void start() {
        Backend backend = owner.router().current();
        if (backend == null) {
            hold(null, false);
        } else {
            send(backend, false);
        }
    }

    private void hold(Backend excluded, boolean retrySame) {
        if (waiter == null) {
            waiter = new ExchangeWaiter(exchange, backend -> send(backend, false));
        }
        owner.router().holds().hold(waiter, excluded, retrySame);
    }

    private void send(Backend backend, boolean fresh) {
        attempts++;
        Attempt next = new Attempt(this, backend);
        attempt = next;
        backend.await(next);
        ClientConnection pooled = fresh ? null : backend.poll(exchange.getIoThread());
        if (pooled != null) {
            next.sendOn(pooled, true);
            return;
        }
        owner.client().connect(new ClientCallback<>() {
            @Override
            public void completed(ClientConnection connection) {
                backend.opened(connection);
                if (next.state().over()) {
                    IoUtils.safeClose(connection);
                } else {
                    next.sendOn(connection, false);
                }
            }

            @Override
            public void failed(IOException e) {
                next.failed(e);
            }
        }, backend.uri(), exchange.getIoThread(), exchange.getConnection().getByteBufferPool(), BACKEND_OPTIONS);
    }

    Verdict verdict(Failure failure) {
        return RetryPolicy.decide(failure, exchange.getRequestMethod(),
                exchange.getRequestHeaders().contains(Outbound.IDEMPOTENCY_KEY), !bodyGone);
    }

    /** After a failed attempt: retry now, hold for another primary, or tell the client. */
    void afterFailure(Attempt failed, Failure failure, IOException cause) {
        if (exchange.isResponseStarted()) {
            IoUtils.safeClose(exchange.getConnection());
            return;
        }
        Verdict verdict = verdict(failure);
        PrimaryRouter router = owner.router();
        Backend now = router.current();
        Move move = RetryPolicy.next(verdict, failure, attempts, pacedRetries, failed.state().pooled(),
                now != null && now != failed.backend, router.handOverPending());
        // One line per failed attempt: they happen around route changes, and show how held requests moved on.
        log.info("{} {} at {}: {} -> {} {}{}", exchange.getRequestMethod(), exchange.getRequestURI(), failed.backend.label(),
                failure, verdict, move, cause == null ? "" : " (" + cause + ")");
        if (move != Move.ANSWER && move != Move.GIVE_UP) {
            owner.retried(failure);
        }
        switch (move) {
            case SEND_TO_CURRENT -> send(now, false);
            case RECONNECT -> send(failed.backend, true);
            case HOLD -> hold(failed.backend, false);
            case HOLD_AND_RETRY_SAME -> {
                pacedRetries++;
                hold(failed.backend, true);
            }
            case GIVE_UP -> JsonResponses.noPrimary(exchange, "gave up after " + attempts + " attempts; last at "
                    + failed.backend.label());
            case ANSWER -> answer(verdict, failed.backend);
        }
    }

    private void answer(Verdict verdict, Backend at) {
        switch (verdict) {
            case UNSAFE -> JsonResponses.error(exchange, 502, "backend_failed", "primary " + at.label()
                    + " failed while handling the request; it may or may not have been applied (send an "
                    + "Idempotency-Key to make writes safe to retry)");
            case BODY_GONE -> JsonResponses.error(exchange, 502, "backend_failed", "primary " + at.label()
                    + " failed while the request body was streamed to it; it may or may not have been applied");
            case OUTCOME_UNKNOWN -> {
                owner.outcomeUnknown();
                JsonResponses.error(exchange, 503, "outcome_unknown", "primary " + at.label()
                        + " stopped answering during a failover and a newer primary took over; the request may or may "
                        + "not have been applied (send an Idempotency-Key to make writes safe to retry)");
            }
            case RETRY -> throw new IllegalStateException("a request to retry is not answered");
        }
    }

    @Override
    public void exchangeEvent(HttpServerExchange done, NextListener next) {
        try {
            Attempt last = attempt;
            if (last != null) {
                last.finish();
            }
            owner.budget().release(reservedBytes);
        } finally {
            next.proceed();
        }
    }

    HttpServerExchange exchange() {
        return exchange;
    }

    Forwarder owner() {
        return owner;
    }

    /** The kept body, or null (none, or streamed). */
    byte[] body() {
        return body;
    }

    boolean streamed() {
        return streamed;
    }

    /** Bytes of body the node will get, or -1 for a streamed body of unknown length. */
    long bodyLength() {
        return streamed ? exchange.getRequestContentLength() : body == null ? 0 : body.length;
    }

    /** The streamed body has started to flow: it cannot be sent again. */
    void bodyGone() {
        bodyGone = true;
    }
}
