package io.understudy.node.api;

import io.understudy.cluster.Headers;
import io.understudy.node.app.AppWriteBarrier;
import io.understudy.node.app.GatewayRules;
import io.understudy.node.app.GatewayRules.Admission;
import io.understudy.node.app.GatewayRules.Relay;
import io.understudy.node.app.GatewaySettings;
import io.understudy.node.app.KeyedRequests;
import io.understudy.node.app.KeyedRequests.Answer;
import io.understudy.node.role.WriteGate;
import io.understudy.node.store.Database;
import io.understudy.replicator.capture.ConnectionLoss;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.HttpContinueReadHandler;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.Optional;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.core5.http.HttpEntity;
import org.slf4j.Logger;
import org.xnio.IoUtils;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The node's second listener ({@code app.gatewayPort}): fronts the application on this host ({@code app.url}). Every
 * request is admitted by {@link GatewayRules#admit} (primary, stamped epoch, live lease) before the application sees
 * it; the application's answer is relayed only if {@link GatewayRules#relay} still allows it when the answer begins
 * and, for a request that may write, again after the {@link AppWriteBarrier}, whose wait lies between the
 * application's answer and the relay. A write's answer is read in full before the barrier (its commit may come late in
 * the answer); a read's answer streams. Keyed writes go through {@link KeyedRequests}.
 *
 * <p>Requests run on the listener's own worker threads, blocking: the barrier and the key store block by nature.
 */
public final class AppGateway implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AppGateway.class);
    /** Requests in progress at the application at once; more wait for a worker. */
    static final int WORKERS = 64;
    static final HttpString APPLICATION = new HttpString(Headers.APPLICATION);
    private static final HttpString NODE = new HttpString(Headers.NODE);
    private static final HttpString SERVED_EPOCH = new HttpString(Headers.SERVED_EPOCH);
    private static final HttpString EPOCH = new HttpString(Headers.EPOCH);

    private final Undertow server;
    private final AppClient app;

    public AppGateway(GatewaySettings settings, WriteGate gate, NodeState node, SyncHooks sync, AppWriteBarrier barrier,
                      Database db) {
        this.app = new AppClient(settings, WORKERS);
        Handler handler = new Handler(settings, gate, node, sync, barrier, new KeyedRequests(db, gate), app);
        this.server = Undertow.builder()
                .addHttpListener(settings.gatewayPort(), settings.gatewayHost())
                .setWorkerThreads(WORKERS)
                .setServerOption(UndertowOptions.ALWAYS_SET_KEEP_ALIVE, true)
                .setHandler(new HttpContinueReadHandler(handler))
                .build();
    }

    public void start() {
        server.start();
    }

    @Override
    public void close() {
        server.stop();
        try {
            app.close();
        } catch (IOException e) {
            log.debug("closing the application client: {}", e.toString());
        }
    }

    private static final class Handler implements HttpHandler {
        private final GatewaySettings settings;
        private final WriteGate gate;
        private final NodeState node;
        private final SyncHooks sync;
        private final AppWriteBarrier barrier;
        private final KeyedRequests keys;
        private final AppClient app;
        private final GatewayReplies replies;

        Handler(GatewaySettings settings, WriteGate gate, NodeState node, SyncHooks sync, AppWriteBarrier barrier,
                KeyedRequests keys, AppClient app) {
            this.settings = settings;
            this.gate = gate;
            this.node = node;
            this.sync = sync;
            this.barrier = barrier;
            this.keys = keys;
            this.app = app;
            this.replies = new GatewayReplies(node, settings.maxBufferedBytes());
        }

        @Override
        public void handleRequest(HttpServerExchange exchange) {
            if (exchange.isInIoThread()) {
                exchange.dispatch(this);
                return;
            }
            exchange.startBlocking();
            MDC.put("node", node.nodeId());
            exchange.getResponseHeaders().put(NODE, node.nodeId());
            exchange.getResponseHeaders().put(SERVED_EPOCH, node.epoch());
            try {
                serve(exchange);
            } catch (Exception e) {
                failed(exchange, e);
            }
        }

        private void serve(HttpServerExchange exchange) throws Exception {
            String stamped = exchange.getRequestHeaders().getFirst(EPOCH);
            GatewayRules.stampedEpoch(stamped).ifPresent(requested -> gate.awaitOpen(requested, WriteGate.OPENING_PATIENCE));
            Admission admission = GatewayRules.admit(stamped, gate.epoch(), gate.admit());
            if (admission instanceof Admission.Refuse refuse) {
                replies.refuse(exchange, refuse);
                return;
            }
            long epoch = ((Admission.Admit) admission).epoch();
            exchange.getResponseHeaders().put(SERVED_EPOCH, epoch);
            boolean write = GatewayRules.mayWrite(exchange.getRequestMethod().toString());
            if (write) {
                String refusal = sync.refuseBeforeWrite();
                if (refusal != null) {
                    replies.unavailable(exchange, "no_sync_replica", refusal);
                    return;
                }
            }
            String key = write ? exchange.getRequestHeaders().getFirst(Headers.IDEMPOTENCY_KEY) : null;
            if (key == null) {
                forward(exchange, epoch, write, null, null);
            } else {
                keyed(exchange, epoch, key);
            }
        }

        private void keyed(HttpServerExchange exchange, long epoch, String key) throws Exception {
            if (!GatewayReplies.acceptableKey(exchange, key)) {
                return;
            }
            byte[] body = replies.readBody(exchange);
            if (body == null) {
                return; // answered 413
            }
            KeyedRequests.Start start;
            try {
                start = keys.begin(key, GatewayReplies.requestHash(exchange, body), epoch, settings.timeoutMs());
            } catch (KeyedRequests.GateClosed e) {
                replies.refuse(exchange, new Admission.Refuse(503, "not_primary",
                        "the write gate closed before the request was sent; nothing was applied"));
                return;
            }
            switch (start.verdict()) {
                case FORWARD -> forward(exchange, epoch, true, body, key);
                case REPLAY -> acknowledge(exchange, epoch, start.answer(), true);
                case REUSED -> Responses.error(exchange, 422, "idempotency_key_reused",
                        "Idempotency-Key '" + key + "' was already used for a different request");
                case IN_DOUBT, WAIT -> Responses.error(exchange, 409, "idempotency_key_in_doubt", "a request with"
                        + " Idempotency-Key '" + key + "' reached the application before and its answer was never"
                        + " recorded (cut off by a failure or still running): it may or may not have been applied, and"
                        + " it is not sent again; check its effect, then use a new key");
            }
        }

        /** Sends the request to the application and relays, streams or withholds its answer. */
        private void forward(HttpServerExchange exchange, long epoch, boolean write, byte[] body, String key) throws Exception {
            try (KeyedRequests.Attempt attempt = keys.attempt(key)) {
                HttpUriRequestBase request = app.request(exchange, epoch, body);
                AppClient.Call call;
                try {
                    call = app.call(request);
                } catch (AppClient.Failed e) {
                    if (e.failure == AppClient.Failure.UNREACHED) {
                        attempt.notSent();
                    }
                    replies.appFailed(exchange, e);
                    return;
                }
                try (call) {
                    Relay atStart = GatewayRules.relay(epoch, gate.admit(), null);
                    if (!write) {
                        if (atStart instanceof Relay.Withhold withhold) {
                            replies.withhold(exchange, withhold);
                        } else {
                            stream(exchange, call);
                        }
                        return;
                    }
                    Answer answer = replies.readAnswer(call.response);
                    if (answer == null) {
                        replies.unavailable(exchange, 502, "app_answer_too_large", "the application's answer to a write is"
                                + " larger than app.maxBufferedBytes (" + settings.maxBufferedBytes()
                                + " bytes); it may have been applied"); // a keyed attempt stays in doubt
                        return;
                    }
                    // Recorded even when withheld: a successor that drains this record has the write too, and replays it.
                    attempt.answered(answer);
                    if (atStart instanceof Relay.Withhold withhold) {
                        replies.withhold(exchange, withhold);
                    } else {
                        acknowledge(exchange, epoch, answer, false);
                    }
                }
            }
        }

        /** The write barrier, then the last check, then the answer (a replayed one too: the first may not have been). */
        private void acknowledge(HttpServerExchange exchange, long epoch, Answer answer, boolean replayed) throws IOException {
            String notDurable = null;
            try {
                barrier.afterWrite(epoch);
            } catch (AppWriteBarrier.NotDurable e) {
                notDurable = e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                notDurable = "interrupted while waiting for the write barrier";
            } catch (Exception e) {
                log.warn("write barrier failed for epoch {}: {}", epoch, e.toString());
                notDurable = "the write barrier failed: " + e.getMessage();
            }
            Relay last = GatewayRules.relay(epoch, gate.admit(), notDurable);
            if (last instanceof Relay.Withhold withhold) {
                replies.withhold(exchange, withhold);
                return;
            }
            replies.send(exchange, answer, replayed);
        }

        /** A read's answer: head now, body as it comes. */
        private void stream(HttpServerExchange exchange, AppClient.Call call) throws IOException {
            exchange.setStatusCode(call.response.getCode());
            for (Map.Entry<String, String> h : AppClient.relayedHeaders(call.response.getHeaders())) {
                exchange.getResponseHeaders().add(HttpString.tryFromString(h.getKey()), h.getValue());
            }
            exchange.getResponseHeaders().put(APPLICATION, "relayed");
            HttpEntity entity = call.response.getEntity();
            if (entity == null || exchange.getRequestMethod().equals(Methods.HEAD)) {
                exchange.endExchange();
                return;
            }
            try (InputStream in = entity.getContent(); OutputStream out = exchange.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException e) {
                // the application or the client went away mid-answer; the head is out, so only a cut connection says so
                log.info("{} {}: answer cut off: {}", exchange.getRequestMethod(), exchange.getRequestPath(), e.toString());
                IoUtils.safeClose(exchange.getConnection());
            }
        }

        /** As the built-in API: a lost database is 503 {@code not_acknowledged}, anything else 500. */
        private void failed(HttpServerExchange exchange, Exception e) {
            Optional<String> lost = ConnectionLoss.of(e);
            if (lost.isPresent()) {
                log.warn("{} {}: own database not answering: {}", exchange.getRequestMethod(), exchange.getRequestPath(), lost.get());
            } else {
                log.error("{} {} failed", exchange.getRequestMethod(), exchange.getRequestPath(), e);
            }
            if (exchange.isResponseStarted()) {
                IoUtils.safeClose(exchange.getConnection()); // the client must not take a cut answer for a whole one
                return;
            }
            if (lost.isPresent()) {
                replies.unavailable(exchange, "not_acknowledged", "the database of " + node.nodeId() + " is not answering ("
                        + lost.get() + "); a write may or may not have been applied");
            } else {
                Responses.error(exchange, 500, "internal_error", "the gateway could not complete the request; see the node's log");
            }
        }
    }
}
