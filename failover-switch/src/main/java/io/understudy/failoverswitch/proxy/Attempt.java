package io.understudy.failoverswitch.proxy;

import io.understudy.failoverswitch.http.JsonResponses;
import io.understudy.failoverswitch.proxy.RetryPolicy.Failure;
import io.understudy.failoverswitch.proxy.RetryPolicy.Verdict;
import io.undertow.client.ClientCallback;
import io.undertow.client.ClientConnection;
import io.undertow.client.ClientExchange;
import io.undertow.client.ClientResponse;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.channels.StreamSourceChannel;

/**
 * One try of a {@link Forward} at one backend over one connection: sends the request, then relays
 * the node's answer to the client or reports to its forward how it failed. Its progress is one
 * {@link AttemptState}; callbacks that arrive once it is over are ignored.
 *
 * <p>Threading: the exchange's IO thread, except {@link #superseded()}.
 */
final class Attempt implements ClientCallback<ClientExchange>, Backend.Waiter {

    private static final Logger log = LoggerFactory.getLogger(Attempt.class);

    private final Forward forward;
    private final HttpServerExchange exchange;
    final Backend backend;
    private AttemptState state = AttemptState.OPENING;
    private ClientConnection connection;
    private XnioExecutor.Key timer;

    Attempt(Forward forward, Backend backend) {
        this.forward = forward;
        this.exchange = forward.exchange();
        this.backend = backend;
    }

    AttemptState state() {
        return state;
    }

    /** Sends the request on {@code on}, taken from the pool or just opened for this attempt. */
    void sendOn(ClientConnection on, boolean fromPool) {
        connection = on;
        state = state.connected(fromPool);
        timer = exchange.getIoThread().executeAfter(this::timedOut, forward.owner().backendTimeoutMs(), TimeUnit.MILLISECONDS);
        on.sendRequest(Outbound.request(exchange, backend, forward.bodyLength(), forward.owner().trustForwarded(),
                forward.owner().nodeToken()), this);
    }

    /** The request head is handed to the connection: from here on the node may see it. */
    @Override
    public void completed(ClientExchange sent) {
        if (state.over()) {
            return;
        }
        state = state.handedOver();
        sent.setResponseListener(new ResponseListener());
        byte[] body = forward.body();
        if (forward.streamed()) {
            forward.bodyGone();
            Relay.start(exchange.getRequestChannel(), sent.getRequestChannel(), exchange.getConnection().getByteBufferPool(),
                    new Relay.Ends() {
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
        fail(state.broken(), e);
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
                state = state.sent();
                return;
            }
            sink.getWriteSetter().set(ChannelListeners.flushingChannelListener(channel -> {
                channel.suspendWrites();
                channel.getWriteSetter().set(null);
                state = state.sent();
            }, (channel, e) -> fail(Failure.LOST_IN_FLIGHT, e)));
            sink.resumeWrites();
        } catch (IOException e) {
            fail(Failure.LOST_IN_FLIGHT, e);
        }
    }

    private void bodyFailed(IOException e) {
        end();
        IoUtils.safeClose(connection);
        if (e instanceof RequestTooBigException) {
            JsonResponses.error(exchange, 413, "body_too_large", "the request body is larger than "
                    + forward.owner().maxBodyBytes() + " bytes");
        } else {
            // the client went away or sent a broken body: nothing to answer
            IoUtils.safeClose(exchange.getConnection());
        }
    }

    /** The node gave an answer that is not the client's (421 / 503 not_primary). */
    private void refused(Failure failure) {
        if (state.over()) {
            return;
        }
        boolean reusable = state.reusableAfterRefusal();
        end();
        if (reusable) {
            backend.release(connection);
        } else {
            IoUtils.safeClose(connection);
        }
        connection = null;
        forward.afterFailure(this, failure, null);
    }

    private void fail(Failure failure, IOException e) {
        if (state.over()) {
            return;
        }
        boolean relayStarted = state.relayStarted();
        end();
        IoUtils.safeClose(connection);
        connection = null;
        if (relayStarted) {
            // part of the node's answer is on its way: the client must see it break
            log.debug("{} broke while relaying {}", backend, exchange.getRequestURI(), e);
            IoUtils.safeClose(exchange.getConnection());
            return;
        }
        forward.afterFailure(this, failure, e);
    }

    private void timedOut() {
        if (state.over()) {
            return;
        }
        timer = null;
        end();
        IoUtils.safeClose(connection);
        connection = null;
        forward.owner().timedOut();
        if (exchange.isResponseStarted()) {
            IoUtils.safeClose(exchange.getConnection());
        } else {
            JsonResponses.error(exchange, 504, "backend_timeout", "primary " + backend.label() + " did not answer within "
                    + forward.owner().backendTimeoutMs() + " ms");
        }
    }

    /** A newer epoch took over: after the grace, give up on this node's answer. Any thread. */
    @Override
    public void superseded() {
        long graceMs = forward.owner().oldPrimaryGraceMs();
        if (graceMs > 0) {
            exchange.getIoThread().executeAfter(this::abandon, graceMs, TimeUnit.MILLISECONDS);
        } else {
            exchange.getIoThread().execute(this::abandon);
        }
    }

    private void abandon() {
        if (state.over()) {
            return;
        }
        Failure failure = state.superseded();
        if (failure == null) {
            return;
        }
        log.debug("{} {}: abandoned the attempt at {}, a newer epoch took over before it answered",
                exchange.getRequestMethod(), exchange.getRequestURI(), backend.label());
        end();
        IoUtils.safeClose(connection);
        connection = null;
        forward.afterFailure(this, failure, null);
    }

    /** Relaying the node's response to the client; the attempt can no longer fail over. */
    private void relaying(ClientResponse response) {
        state = state.relaying();
        backend.answered(this);
        exchange.setStatusCode(response.getResponseCode());
        Outbound.copyResponseHeaders(response.getResponseHeaders(), exchange.getResponseHeaders());
    }

    private void end() {
        state = state.ended();
        backend.answered(this);
        if (timer != null) {
            timer.remove();
            timer = null;
        }
    }

    /** The client exchange is over: pool the connection if it is clean, else close it. */
    void finish() {
        boolean reusable = state.reusable();
        end();
        if (connection != null) {
            if (reusable) {
                backend.release(connection);
            } else {
                IoUtils.safeClose(connection);
            }
            connection = null;
        }
    }

    /** Reads the node's response head; relays it or turns a refusal into a retry. */
    private final class ResponseListener implements ClientCallback<ClientExchange>, Relay.Ends {

        @Override
        public void completed(ClientExchange result) {
            if (state.over()) {
                return;
            }
            ClientResponse response = result.getResponse();
            if (Refusal.mayBeRefusal(response)) {
                Refusal.read(result, refusal -> {
                    Failure failure = refusal.failure();
                    if (failure != null && (failure != Failure.NOT_CONFIRMED
                            || forward.verdict(Failure.NOT_CONFIRMED) == Verdict.RETRY)) {
                        refused(failure);
                    } else {
                        relaying(response);
                        state = state.answered();
                        exchange.getResponseSender().send(ByteBuffer.wrap(refusal.body()));
                    }
                }, e -> fail(Failure.LOST_IN_FLIGHT, e));
                return;
            }
            relaying(response);
            Relay.start(result.getResponseChannel(), exchange.getResponseChannel(),
                    exchange.getConnection().getByteBufferPool(), this);
        }

        @Override
        public void ended(StreamSourceChannel source, StreamSinkChannel sink) {
            IoUtils.safeClose(source);
            state = state.answered();
            ResponseEnd.finish(sink, exchange);
        }

        @Override
        public void readFailed(IOException e) {
            fail(Failure.LOST_IN_FLIGHT, e);
        }

        @Override
        public void writeFailed(IOException e) {
            IoUtils.safeClose(exchange.getConnection());
            fail(Failure.LOST_IN_FLIGHT, e);
        }

        @Override
        public void failed(IOException e) {
            fail(Failure.LOST_IN_FLIGHT, e);
        }
    }
}
