package io.understudy.node.api;

import io.understudy.cluster.Headers;
import io.understudy.cluster.Role;
import io.understudy.node.rejoin.QuarantineStore;
import io.understudy.node.role.WriteGate;
import io.understudy.node.store.Database;
import io.understudy.node.store.FileStore;
import io.understudy.node.store.IdempotencyStore;
import io.understudy.node.store.ObjectStore;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.understudy.replicator.capture.ConnectionLoss;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.postgresql.PGProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The node's HTTP API: the built-in application API ({@code /api/objects}, {@code /api/files}) and
 * the role endpoints load balancers check ({@code /primary}, {@code /replica}, {@code /health}).
 * Requests stamped by the switch with {@code X-Understudy-Epoch} are served only in that epoch.
 */
public final class ApiServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
    private static final HttpString NODE = new HttpString(Headers.NODE);
    private static final HttpString SERVED_EPOCH = new HttpString(Headers.SERVED_EPOCH);
    private static final HttpString EPOCH = new HttpString(Headers.EPOCH);
    private static final HttpString TOKEN = new HttpString(Headers.TOKEN);

    private final Undertow server;
    private final ObjectsHandler objects;

    /**
     * @param quarantine this node's quarantined transactions, served read-only
     * @param access     who may write (and read): see {@link ApiToken}
     */
    public ApiServer(String host, int port, Database db, WriteGate gate, NodeState node, long maxObjectBytes,
                     long maxFileBytes, SyncHooks sync, QuarantineStore quarantine, ApiToken access) {
        WritePath writes = new WritePath(db, gate, new IdempotencyStore(), node, sync);
        this.objects = new ObjectsHandler(db, new ObjectStore(), writes, maxObjectBytes);
        Router router = new Router(node, gate, objects,
                new FilesHandler(db, new FileStore(), writes, maxFileBytes), new ReplicationEndpoints(sync),
                new QuarantineEndpoints(quarantine), access);
        this.server = Undertow.builder()
                .addHttpListener(port, host)
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, Math.max(maxObjectBytes, maxFileBytes))
                .setServerOption(UndertowOptions.ALWAYS_SET_KEEP_ALIVE, true)
                .setHandler(router)
                .build();
    }

    public void start() {
        server.start();
    }

    /** Threads a {@link #rehearseWrites rehearsal} writes from at once: as many as the switch held in a switchover. */
    static final int REHEARSAL_WRITERS = 4;
    /**
     * Rehearsed writes per thread: one more than the executions after which the JDBC driver switches a statement to a
     * server-side prepared one (its {@code prepareThreshold}, which the node leaves at the driver's default).
     */
    static final int REHEARSAL_ROUNDS = Integer.parseInt(PGProperty.PREPARE_THRESHOLD.getDefaultValue()) + 1;

    /**
     * Keyed PUTs of warm-up objects, rehearsed (see {@link ApiWarmUp}): their statements run and are rolled back.
     * {@link #REHEARSAL_WRITERS} threads at once, each with its own object and key and {@link #REHEARSAL_ROUNDS} times
     * in a row, so that as many of the pool's connections as concurrent writes would take run them, each as often as
     * the driver needs to prepare its statements on the server.
     */
    public void rehearseWrites() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(REHEARSAL_WRITERS, r -> {
            // like the warm-up thread that starts it, none of them may keep the JVM from exiting
            Thread thread = new Thread(r, "api-rehearsal");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < REHEARSAL_WRITERS; w++) {
                String id = ApiWarmUp.OBJECT_ID + "-" + w;
                done.add(threads.submit(() -> {
                    for (int round = 0; round < REHEARSAL_ROUNDS; round++) {
                        objects.rehearsePut(id, id);
                    }
                    return null;
                }));
            }
            for (Future<?> writer : done) {
                writer.get();
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Override
    public void close() {
        server.stop();
    }

    private static final class Router implements HttpHandler {
        private final NodeState node;
        private final WriteGate gate;
        private final ObjectsHandler objects;
        private final FilesHandler files;
        private final ReplicationEndpoints replication;
        private final QuarantineEndpoints quarantine;
        private final ApiToken access;

        Router(NodeState node, WriteGate gate, ObjectsHandler objects, FilesHandler files, ReplicationEndpoints replication,
               QuarantineEndpoints quarantine, ApiToken access) {
            this.access = access;
            this.node = node;
            this.gate = gate;
            this.objects = objects;
            this.files = files;
            this.replication = replication;
            this.quarantine = quarantine;
        }

        @Override
        public void handleRequest(HttpServerExchange exchange) {
            Optional<String> refused = access.refusal(exchange.getRequestMethod().toString(), exchange.getRelativePath(),
                    exchange.getRequestHeaders().getFirst(TOKEN));
            if (refused.isPresent()) {
                Responses.error(exchange, 401, "token_required", refused.get());
                return;
            }
            if (exchange.isInIoThread() && ReplicationEndpoints.APPLIED.equals(exchange.getRelativePath())) {
                // Never queued behind workers: in sync mode they may all be waiting for exactly this report.
                replication.applied(exchange);
                return;
            }
            if (exchange.isInIoThread()) {
                exchange.dispatch(this);
                return;
            }
            exchange.startBlocking();
            MDC.put("node", node.nodeId());
            exchange.getResponseHeaders().put(NODE, node.nodeId());
            exchange.getResponseHeaders().put(SERVED_EPOCH, node.epoch());
            String path = exchange.getRelativePath();
            try {
                switch (path) {
                    case "/health" -> health(exchange);
                    case "/metrics" -> replication.metrics(exchange);
                    case "/primary" -> roleCheck(exchange, Role.PRIMARY, gate.admit() instanceof WriteGate.Verdict.Open);
                    case "/replica" -> roleCheck(exchange, Role.SECONDARY, node.role() == Role.SECONDARY && node.healthy());
                    default -> api(exchange, path);
                }
            } catch (Exception e) {
                failed(exchange, path, e);
            }
        }

        /**
         * A request that threw. A lost database (crashed, restarting) is not the request's fault and is
         * answered 503 {@code not_acknowledged}: had it been a write whose COMMIT reached the database, it
         * may be applied. The switch retries what is safe to retry (any read, an idempotent method, an
         * Idempotency-Key) here or at the primary that replaces this one once it steps down after
         * {@code db.failTimeoutMs}; anything else is a 500.
         */
        private void failed(HttpServerExchange exchange, String path, Exception e) {
            Optional<String> lost = ConnectionLoss.of(e);
            if (lost.isPresent()) {
                log.warn("{} {}: own database not answering: {}", exchange.getRequestMethod(), path, lost.get());
            } else {
                log.error("{} {} failed", exchange.getRequestMethod(), path, e);
            }
            if (exchange.isResponseStarted()) {
                return;
            }
            if (lost.isPresent()) {
                exchange.getResponseHeaders().put(io.undertow.util.Headers.RETRY_AFTER, "1");
                Responses.error(exchange, 503, "not_acknowledged", "the database of " + node.nodeId()
                        + " is not answering (" + lost.get() + "); a write may or may not have been applied");
            } else {
                Responses.error(exchange, 500, "internal_error", "the node could not complete the request; see its log");
            }
        }

        private void api(HttpServerExchange exchange, String path) throws Exception {
            boolean isObjects = path.equals(ObjectsHandler.PREFIX) || path.startsWith(ObjectsHandler.PREFIX + "/");
            boolean isFiles = path.startsWith(FilesHandler.PREFIX);
            if (QuarantineEndpoints.matches(path)) {
                quarantine.handle(exchange, path);
                return;
            }
            if (!isObjects && !isFiles) {
                Responses.error(exchange, 404, "not_found", "no such endpoint: " + path);
                return;
            }
            if (!servesRequestedEpoch(exchange)) {
                return;
            }
            if (isObjects) {
                objects.handle(exchange, path);
            } else {
                files.handle(exchange, path);
            }
        }

        /** A request stamped for an epoch is only served by the primary of exactly that epoch. */
        private boolean servesRequestedEpoch(HttpServerExchange exchange) {
            String stamped = exchange.getRequestHeaders().getFirst(EPOCH);
            if (stamped == null) {
                return true;
            }
            long requested;
            try {
                requested = Long.parseLong(stamped.trim());
            } catch (NumberFormatException e) {
                Responses.error(exchange, 400, "bad_epoch", Headers.EPOCH + " must be a number, got '" + stamped + "'");
                return false;
            }
            // The switch routes here as soon as /primary names this node: a request for the epoch it is opening waits.
            gate.awaitOpen(requested, WriteGate.OPENING_PATIENCE);
            long mine = gate.epoch();
            if (requested != mine || mine == 0) {
                Responses.error(exchange, 421, "epoch_mismatch", "node " + node.nodeId() + " is " + node.role()
                        + " in epoch " + node.epoch() + ", not the primary of epoch " + requested,
                        Map.of("servedEpoch", node.epoch(), "role", node.role().name()));
                return false;
            }
            // Served in the gate's epoch: a request that waited for the gate to open found the node's role still
            // naming the epoch it followed, which the header set on arrival says.
            exchange.getResponseHeaders().put(SERVED_EPOCH, mine);
            return true;
        }

        private void roleCheck(HttpServerExchange exchange, Role wanted, boolean holds) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("nodeId", node.nodeId());
            body.put("role", node.role().name());
            body.put("epoch", node.epoch());
            if (holds) {
                Responses.json(exchange, 200, body);
            } else {
                body.put("error", "not_" + wanted.name().toLowerCase());
                body.put("message", "node " + node.nodeId() + " is " + node.role() + (node.healthy() ? "" : " (not healthy)"));
                Responses.json(exchange, 503, body);
            }
        }

        private void health(HttpServerExchange exchange) {
            Map<String, Object> body = node.describe();
            boolean dbUp = Boolean.TRUE.equals(body.get("databaseReachable"));
            Responses.json(exchange, dbUp ? 200 : 503, body);
        }
    }
}
