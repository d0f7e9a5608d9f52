package io.understudy.node.api;

import io.understudy.cluster.ClusterJson;
import io.understudy.cluster.Headers;
import io.understudy.node.role.WriteGate;
import io.understudy.node.store.Database;
import io.understudy.node.store.IdempotencyStore;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Every write goes through here: the write gate admits it in one epoch, it runs in one database
 * transaction together with its idempotency record, the gate is checked again before commit
 * (else rollback) and after commit (else the write is not acknowledged). A write that is not
 * acknowledged may still exist locally; it is never reported as done.
 *
 * <p>A write that is one statement and carries no {@code Idempotency-Key} is sent as that statement
 * alone, which PostgreSQL commits with it: one round trip instead of two. It has no moment between
 * its statement and its commit, so it skips the check before commit; the checks at admission and
 * after commit stay, so a write that commits after the gate closed is still never acknowledged.
 */
final class WritePath {

    static final HttpString REPLAYED = new HttpString("Idempotency-Replayed");
    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7e]{1,255}");

    /** What the client will be told; {@code body} is JSON. */
    record Reply(int status, String etag, byte[] body) {
        static Reply of(int status, String etag, Object json) {
            return new Reply(status, etag, ClusterJson.toBytes(json));
        }
    }

    @FunctionalInterface
    interface Work {
        Reply apply(Connection connection, long epoch) throws Exception;
    }

    /** The gate closed between admission and commit; the transaction rolls back. */
    private static final class GateClosedException extends Exception {
        GateClosedException() {
            super("write gate closed before commit", null, false, false);
        }
    }

    /** Ends a {@link #rehearse rehearsal}'s transaction: its work is always rolled back. */
    private static final class Rehearsed extends Exception {
        Rehearsed() {
            super("rehearsal: rolled back", null, false, false);
        }
    }

    private final Database db;
    private final WriteGate gate;
    private final IdempotencyStore keys;
    private final NodeState node;
    private final SyncHooks sync;

    WritePath(Database db, WriteGate gate, IdempotencyStore keys, NodeState node, SyncHooks sync) {
        this.db = db;
        this.gate = gate;
        this.keys = keys;
        this.node = node;
        this.sync = sync;
    }

    /**
     * Validates the Idempotency-Key header before any body is read; answers 400 and returns
     * false when it is malformed.
     */
    boolean acceptableKey(HttpServerExchange exchange) {
        String key = exchange.getRequestHeaders().getFirst(Headers.IDEMPOTENCY_KEY);
        if (key != null && !KEY.matcher(key).matches()) {
            Responses.error(exchange, 400, "bad_idempotency_key", "Idempotency-Key must be 1-255 visible ASCII characters");
            return false;
        }
        return true;
    }

    /** Answers 503 naming the primary and returns false unless the gate is open now. */
    boolean admit(HttpServerExchange exchange) {
        if (gate.admit() instanceof WriteGate.Verdict.Closed closed) {
            refuse(exchange, closed.reason());
            return false;
        }
        return true;
    }

    void execute(HttpServerExchange exchange, String requestHash, Work work) throws Exception {
        execute(exchange, requestHash, false, work);
    }

    /**
     * @param oneStatement {@code work} runs exactly one statement; without an Idempotency-Key it then
     *                     runs in auto-commit mode
     */
    void execute(HttpServerExchange exchange, String requestHash, boolean oneStatement, Work work) throws Exception {
        if (!(gate.admit() instanceof WriteGate.Verdict.Open open)) {
            admit(exchange);
            return;
        }
        long epoch = open.epoch();
        String refusal = sync.refuseBeforeWrite();
        if (refusal != null) {
            exchange.getResponseHeaders().put(io.undertow.util.Headers.RETRY_AFTER, "1");
            Responses.error(exchange, 503, "no_sync_replica", refusal);
            return;
        }
        String key = exchange.getRequestHeaders().getFirst(Headers.IDEMPOTENCY_KEY);
        Outcome outcome;
        // A database that stops answering mid-write throws on, and the API server answers 503
        // not_acknowledged: had the COMMIT reached the database, the write may be there.
        try {
            outcome = key == null && oneStatement
                    ? new Outcome(db.autoCommitted(c -> work.apply(c, epoch)), false, true)
                    : db.inTransaction(c -> inTransaction(c, key, requestHash, epoch, work));
        } catch (GateClosedException e) {
            refuse(exchange, "write gate closed during the write; nothing was applied");
            return;
        }
        if (!outcome.replayed() && !gate.stillOpen(epoch)) {
            Responses.error(exchange, 503, "not_acknowledged",
                    "this node lost its primary lease while committing; the write is not acknowledged");
            return;
        }
        // Sync mode: acknowledged only once a secondary applied it (a replay too: the original may not have been).
        String notReplicated = sync.awaitReplicated(() -> gate.stillOpen(epoch));
        if (notReplicated != null) {
            // Demoted while waiting (a switchover, or the session lost): the next primary drains what
            // was committed here, so the write may well be there; the switch retries it there when that
            // is safe (an idempotent method or an Idempotency-Key), which not_acknowledged tells it.
            String code = gate.stillOpen(epoch) ? "not_replicated" : "not_acknowledged";
            Responses.error(exchange, 503, code, "the write is committed on " + node.nodeId() + " but not acknowledged: "
                    + notReplicated);
            return;
        }
        if (outcome.replayed() && !outcome.sameRequest()) {
            Responses.error(exchange, 422, "idempotency_key_reused",
                    "Idempotency-Key '" + key + "' was already used for a different request");
            return;
        }
        send(exchange, outcome.reply(), outcome.replayed());
    }

    /**
     * Runs {@code work} with its idempotency record as a keyed write runs them, in a transaction that always rolls back
     * and without asking the write gate: nothing is written, whatever this node's role. A node that has never served a
     * write pays for loading and first running this code and its statements on its first writes, and after a promotion
     * those are the writes held by the switch; a rehearsal pays for it beforehand.
     */
    void rehearse(String key, String requestHash, Work work) throws Exception {
        try {
            db.inTransaction(c -> {
                // epoch 0 is never open, so the write's own check before commit refuses it too
                inTransaction(c, key, requestHash, 0, work);
                throw new Rehearsed();
            });
        } catch (Rehearsed | GateClosedException expected) {
            // rolled back, as every rehearsal is
        }
    }

    /** The write and its idempotency record in the caller's transaction; the gate is checked before commit. */
    private Outcome inTransaction(Connection c, String key, String requestHash, long epoch, Work work) throws Exception {
        if (key != null) {
            Optional<IdempotencyStore.Remembered> earlier = keys.lockAndFind(c, key);
            if (earlier.isPresent()) {
                return new Outcome(replyOf(earlier.get()), true, earlier.get().requestHash().equals(requestHash));
            }
        }
        Reply reply = work.apply(c, epoch);
        if (key != null && reply.status() < 500) {
            keys.remember(c, key, new IdempotencyStore.Remembered(requestHash, reply.status(), reply.etag(), reply.body()),
                    epoch);
        }
        if (!gate.stillOpen(epoch)) {
            throw new GateClosedException();
        }
        return new Outcome(reply, false, true);
    }

    private record Outcome(Reply reply, boolean replayed, boolean sameRequest) {
    }

    private static Reply replyOf(IdempotencyStore.Remembered r) {
        return new Reply(r.status(), r.etag(), r.body());
    }

    private static void send(HttpServerExchange exchange, Reply reply, boolean replayed) {
        exchange.setStatusCode(reply.status());
        if (reply.etag() != null) {
            exchange.getResponseHeaders().put(io.undertow.util.Headers.ETAG, Responses.quote(reply.etag()));
        }
        if (replayed) {
            exchange.getResponseHeaders().put(REPLAYED, "true");
        }
        if (reply.status() == 204) {
            exchange.endExchange();
            return;
        }
        exchange.getResponseHeaders().put(io.undertow.util.Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseSender().send(ByteBuffer.wrap(reply.body()));
    }

    private void refuse(HttpServerExchange exchange, String reason) {
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("role", node.role().name());
        node.primary().filter(p -> !p.nodeId().equals(node.nodeId())).ifPresent(p -> extra.put("primary",
                Map.of("nodeId", p.nodeId(), "apiUrl", p.apiUrl(), "epoch", p.epoch())));
        String where = node.primary().filter(p -> !p.nodeId().equals(node.nodeId()))
                .map(p -> "; the primary is " + p.nodeId() + " at " + p.apiUrl()).orElse("");
        exchange.getResponseHeaders().put(io.undertow.util.Headers.RETRY_AFTER, "1");
        Responses.error(exchange, 503, "not_primary",
                "node " + node.nodeId() + " does not accept writes (" + node.role() + ": " + reason + ")" + where, extra);
    }
}
