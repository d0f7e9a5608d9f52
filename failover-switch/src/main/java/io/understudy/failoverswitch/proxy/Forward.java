package io.understudy.failoverswitch.proxy;

import io.understudy.failoverswitch.http.JsonResponses;
import io.understudy.failoverswitch.proxy.RetryPolicy.Failure;
import io.understudy.failoverswitch.proxy.RetryPolicy.Verdict;
import io.undertow.client.ClientCallback;
import io.undertow.client.ClientConnection;
import io.undertow.client.ClientExchange;
import io.undertow.client.ClientResponse;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.XnioExecutor;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.channels.StreamSourceChannel;

/**
 * One client request on its way to the primary: attempts, retries and holds, until exactly one
 * response (the node's, or the switch's own error) goes back to the client.
 *
 * <p>Threading: everything runs on the exchange's IO thread (callbacks of connections opened on
 * it, its timers, tasks the hold queue resumes on it), so the fields need no synchronisation.
 * Each attempt is an object of its own; callbacks of an attempt that is over are ignored.
 */
final class Forward implements ExchangeCompletionListener {

    private static final Logger log = LoggerFactory.getLogger(Forward.class);
    /** Enough for any route flapping a hold can see; a loop beyond it is a bug, not bad luck. */
    private static final int MAX_ATTEMPTS = 12;
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
    private Attempt attempt;

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
        owner.router().holds().hold(exchange, excluded, retrySame, (held, backend) -> send(backend, false));
    }

    private void send(Backend backend, boolean fresh) {
        if (++attempts > MAX_ATTEMPTS) {
            JsonResponses.noPrimary(exchange, "gave up after " + MAX_ATTEMPTS + " attempts; last at " + backend.label());
            return;
        }
        Attempt next = new Attempt(backend);
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
                if (next.over) {
                    IoUtils.safeClose(connection);
                } else {
                    next.sendOn(connection, false);
                }
            }

            @Override
            public void failed(IOException e) {
                next.fail(Failure.NOT_SENT, e);
            }
        }, backend.uri(), exchange.getIoThread(), exchange.getConnection().getByteBufferPool(), BACKEND_OPTIONS);
    }

    private Verdict verdict(Failure failure) {
        return RetryPolicy.decide(failure, exchange.getRequestMethod(),
                exchange.getRequestHeaders().contains(Outbound.IDEMPOTENCY_KEY), !bodyGone);
    }

    /** After a failed attempt: retry now, hold for another primary, or tell the client. */
    private void afterFailure(Attempt failed, Failure failure, IOException cause) {
        Verdict verdict = verdict(failure);
        log.debug("{} {} at {}: {} -> {}", exchange.getRequestMethod(), exchange.getRequestURI(), failed.backend,
                failure, verdict, cause);
        if (exchange.isResponseStarted()) {
            IoUtils.safeClose(exchange.getConnection());
            return;
        }
        switch (verdict) {
            case RETRY -> retry(failed, failure);
            case UNSAFE -> JsonResponses.error(exchange, 502, "backend_failed", "primary " + failed.backend.label()
                    + " failed while handling the request; it may or may not have been applied (send an "
                    + "Idempotency-Key to make writes safe to retry)");
            case BODY_GONE -> JsonResponses.error(exchange, 502, "backend_failed", "primary " + failed.backend.label()
                    + " failed while the request body was streamed to it; it may or may not have been applied");
            case OUTCOME_UNKNOWN -> {
                owner.outcomeUnknown();
                JsonResponses.error(exchange, 503, "outcome_unknown", "primary " + failed.backend.label()
                        + " stopped answering during a failover and a newer primary took over; the request may or may "
                        + "not have been applied (send an Idempotency-Key to make writes safe to retry)");
            }
        }
    }

    private void retry(Attempt failed, Failure failure) {
        owner.retried(failure);
        Backend now = owner.router().current();
        if (now != null && now != failed.backend) {
            send(now, false);
        } else if (failed.pooled && (failure == Failure.NOT_SENT || failure == Failure.LOST_IN_FLIGHT)) {
            // a kept-alive connection the node had already closed: one fresh connection decides
            send(failed.backend, true);
        } else {
            // A shut gate reopens without a change of route (a ZooKeeper reconnect): a node that
            // refused (421 or 503 not_primary; the node answers 421 while its gate is shut) or could
            // not acknowledge (replayed or redone, both harmless here) is tried again; a node that
            // is gone is left to the route change.
            hold(failed.backend, failure != Failure.NOT_SENT && failure != Failure.LOST_IN_FLIGHT
                    && failure != Failure.SUPERSEDED);
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

    /** One try at one backend over one connection. */
    private final class Attempt implements ClientCallback<ClientExchange>, Backend.Waiter {

        final Backend backend;
        boolean pooled;
        boolean over;
        boolean requestSent;
        boolean responseDone;
        boolean handedOver;
        boolean relayStarted;
        ClientConnection connection;
        XnioExecutor.Key timer;

        Attempt(Backend backend) {
            this.backend = backend;
        }

        void sendOn(ClientConnection on, boolean fromPool) {
            connection = on;
            pooled = fromPool;
            long length = streamed ? exchange.getRequestContentLength() : body == null ? 0 : body.length;
            timer = exchange.getIoThread().executeAfter(this::timedOut, owner.backendTimeoutMs(), TimeUnit.MILLISECONDS);
            on.sendRequest(Outbound.request(exchange, backend, length, owner.trustForwarded(), owner.nodeToken()), this);
        }

        /** The request head is handed to the connection: from here on the node may see it. */
        @Override
        public void completed(ClientExchange sent) {
            if (over) {
                return;
            }
            handedOver = true;
            sent.setResponseListener(new ResponseListener(this));
            if (streamed) {
                bodyGone = true;
                Relay.start(exchange.getRequestChannel(), sent.getRequestChannel(),
                        exchange.getConnection().getByteBufferPool(), new Relay.Ends() {
                            @Override
                            public void ended(StreamSourceChannel source, StreamSinkChannel sink) {
                                IoUtils.safeClose(source);
                                finishRequest(sink);
                            }

                            @Override
                            public void readFailed(IOException e) {
                                bodyFailed(e);
                            }

                            @Override
                            public void writeFailed(IOException e) {
                                fail(Failure.LOST_IN_FLIGHT, e);
                            }
                        });
            } else {
                writeBody(sent.getRequestChannel(), body == null ? null : ByteBuffer.wrap(body));
            }
        }

        @Override
        public void failed(IOException e) {
            fail(handedOver ? Failure.LOST_IN_FLIGHT : Failure.NOT_SENT, e);
        }

        private void writeBody(StreamSinkChannel sink, ByteBuffer buffer) {
            try {
                while (buffer != null && buffer.hasRemaining()) {
                    if (sink.write(buffer) == 0) {
                        sink.getWriteSetter().set(channel -> {
                            channel.suspendWrites();
                            writeBody(channel, buffer);
                        });
                        sink.resumeWrites();
                        return;
                    }
                }
                finishRequest(sink);
            } catch (IOException e) {
                fail(Failure.LOST_IN_FLIGHT, e);
            }
        }

        private void finishRequest(StreamSinkChannel sink) {
            try {
                sink.shutdownWrites();
                if (sink.flush()) {
                    sink.getWriteSetter().set(null);
                    requestSent = true;
                    return;
                }
                sink.getWriteSetter().set(ChannelListeners.flushingChannelListener(channel -> {
                    channel.suspendWrites();
                    channel.getWriteSetter().set(null);
                    requestSent = true;
                }, (channel, e) -> fail(Failure.LOST_IN_FLIGHT, e)));
                sink.resumeWrites();
            } catch (IOException e) {
                fail(Failure.LOST_IN_FLIGHT, e);
            }
        }

        private void bodyFailed(IOException e) {
            if (e instanceof RequestTooBigException) {
                end();
                IoUtils.safeClose(connection);
                JsonResponses.error(exchange, 413, "body_too_large", "the request body is larger than "
                        + owner.maxBodyBytes() + " bytes");
                return;
            }
            // the client went away or sent a broken body: nothing to answer
            end();
            IoUtils.safeClose(connection);
            IoUtils.safeClose(exchange.getConnection());
        }

        /** The node gave an answer that is not the client's (421 / 503 not_primary). */
        void refused(Failure failure) {
            if (over) {
                return;
            }
            end();
            if (requestSent) {
                backend.release(connection);
            } else {
                IoUtils.safeClose(connection);
            }
            connection = null;
            afterFailure(this, failure, null);
        }

        void fail(Failure failure, IOException e) {
            if (over) {
                return;
            }
            end();
            IoUtils.safeClose(connection);
            connection = null;
            if (relayStarted) {
                // part of the node's answer is on its way: the client must see it break
                log.debug("{} broke while relaying {}", backend, exchange.getRequestURI(), e);
                IoUtils.safeClose(exchange.getConnection());
                return;
            }
            afterFailure(this, failure, e);
        }

        private void timedOut() {
            if (over) {
                return;
            }
            timer = null;
            end();
            IoUtils.safeClose(connection);
            connection = null;
            owner.timedOut();
            if (exchange.isResponseStarted()) {
                IoUtils.safeClose(exchange.getConnection());
            } else {
                JsonResponses.error(exchange, 504, "backend_timeout", "primary " + backend.label() + " did not answer within "
                        + owner.backendTimeoutMs() + " ms");
            }
        }

        /** A newer epoch took over: after the grace, give up on this node's answer. Any thread. */
        @Override
        public void superseded() {
            long graceMs = owner.oldPrimaryGraceMs();
            if (graceMs > 0) {
                exchange.getIoThread().executeAfter(this::abandon, graceMs, TimeUnit.MILLISECONDS);
            } else {
                exchange.getIoThread().execute(this::abandon);
            }
        }

        private void abandon() {
            if (over) {
                return;
            }
            Failure failure = RetryPolicy.superseded(handedOver, relayStarted);
            if (failure == null) {
                return;
            }
            log.debug("{} {}: abandoned the attempt at {}, a newer epoch took over before it answered",
                    exchange.getRequestMethod(), exchange.getRequestURI(), backend.label());
            end();
            IoUtils.safeClose(connection);
            connection = null;
            afterFailure(this, failure, null);
        }

        /** Relaying the node's response to the client; the attempt can no longer fail over. */
        void relaying(ClientResponse response) {
            relayStarted = true;
            backend.answered(this);
            exchange.setStatusCode(response.getResponseCode());
            Outbound.copyResponseHeaders(response.getResponseHeaders(), exchange.getResponseHeaders());
        }

        void responseComplete() {
            responseDone = true;
        }

        private void end() {
            over = true;
            backend.answered(this);
            if (timer != null) {
                timer.remove();
                timer = null;
            }
        }

        /** The client exchange is over: pool the connection if it is clean, else close it. */
        void finish() {
            boolean clean = !over && responseDone && requestSent;
            end();
            if (connection != null) {
                if (clean) {
                    backend.release(connection);
                } else {
                    IoUtils.safeClose(connection);
                }
                connection = null;
            }
        }
    }

    /** Reads the node's response head; relays it or turns a refusal into a retry. */
    private final class ResponseListener implements ClientCallback<ClientExchange>, Relay.Ends {

        private final Attempt of;

        ResponseListener(Attempt of) {
            this.of = of;
        }

        @Override
        public void completed(ClientExchange result) {
            if (of.over) {
                return;
            }
            ClientResponse response = result.getResponse();
            if (Refusal.mayBeRefusal(response)) {
                Refusal.read(result, refusal -> {
                    if (refusal.failure() != null && (refusal.failure() != Failure.NOT_CONFIRMED || verdict(Failure.NOT_CONFIRMED) == Verdict.RETRY)) {
                        of.refused(refusal.failure());
                    } else {
                        of.relaying(response);
                        of.responseComplete();
                        exchange.getResponseSender().send(ByteBuffer.wrap(refusal.body()));
                    }
                }, e -> of.fail(Failure.LOST_IN_FLIGHT, e));
                return;
            }
            of.relaying(response);
            Relay.start(result.getResponseChannel(), exchange.getResponseChannel(),
                    exchange.getConnection().getByteBufferPool(), this);
        }

        @Override
        public void ended(StreamSourceChannel source, StreamSinkChannel sink) {
            IoUtils.safeClose(source);
            of.responseComplete();
            ResponseEnd.finish(sink, exchange);
        }

        @Override
        public void readFailed(IOException e) {
            of.fail(Failure.LOST_IN_FLIGHT, e);
        }

        @Override
        public void writeFailed(IOException e) {
            IoUtils.safeClose(exchange.getConnection());
            of.fail(Failure.LOST_IN_FLIGHT, e);
        }

        @Override
        public void failed(IOException e) {
            of.fail(Failure.LOST_IN_FLIGHT, e);
        }
    }
}
