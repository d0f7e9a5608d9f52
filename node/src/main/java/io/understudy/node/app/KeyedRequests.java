package io.understudy.node.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.understudy.cluster.ClusterJson;
import io.understudy.node.app.GatewayRules.Keyed;
import io.understudy.node.role.WriteGate;
import io.understudy.node.store.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The gateway's {@code Idempotency-Key} handling: a keyed request that may write reaches the application at most once
 * per key, and a retry gets the application's first answer back.
 *
 * <p>Before forwarding, the key is recorded as in flight in the replicated {@code idempotency_keys} table (committed,
 * in the request's epoch, while the write gate is still open); once the application answered, the answer is recorded
 * under the key. Both commits lie in the same WAL as the application's own writes (the application's tables are in
 * this node's database), and a secondary applies that WAL in order: a secondary that has any write the application
 * made for the request also has the in-flight record, so after a failover a retry is never forwarded to the
 * application again. It gets the recorded answer, or {@link Keyed#IN_DOUBT} when the answer was never recorded
 * (the attempt was cut off): whether it was applied is then unknown, and the client is told so instead of risking a
 * second application. A secondary without the in-flight record has nothing of the first attempt either: forwarding
 * there applies it once. What this cannot cover: effects outside the node's database (mail sent, another system
 * called) of an attempt whose node was lost.
 *
 * <p>Thread-safe; records are read under a transaction-scoped advisory lock per key.
 */
public final class KeyedRequests {

    /** An answer of the application as recorded under a key: status, end-to-end headers, body. */
    public record Answer(int status, List<Map.Entry<String, String>> headers, byte[] body) {
    }

    /** What to do with a keyed request; {@code answer} is set for {@link Keyed#REPLAY} only. */
    public record Start(Keyed verdict, Answer answer) {
    }

    /** The write gate closed before the in-flight record committed; nothing was recorded or forwarded. */
    public static final class GateClosed extends Exception {
        GateClosed() {
            super("write gate closed before the key was recorded", null, false, false);
        }
    }

    private final Database db;
    private final WriteGate gate;
    /** Keys this node is forwarding now, completed when their attempt ends. */
    private final Map<String, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();

    public KeyedRequests(Database db, WriteGate gate) {
        this.db = db;
        this.gate = gate;
    }

    /**
     * Decides a keyed request admitted in {@code epoch}. On {@link Keyed#FORWARD} the key is recorded as in flight
     * here and the caller must end the attempt through {@link #attempt}, whatever happens. {@link Keyed#WAIT} is resolved
     * here (up to {@code waitMs}), so it is never returned: after the wait the request is decided again.
     */
    public Start begin(String key, String requestHash, long epoch, long waitMs) throws Exception {
        Start start = db.inTransaction(c -> decide(c, key, requestHash, epoch));
        if (start.verdict() != Keyed.WAIT) {
            return start;
        }
        CompletableFuture<Void> other = inFlight.get(key);
        if (other != null) {
            try {
                other.get(waitMs, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                return new Start(Keyed.IN_DOUBT, null);
            }
        }
        start = db.inTransaction(c -> decide(c, key, requestHash, epoch));
        // in flight again: yet another attempt took the key over, this one does not wait a second time
        return start.verdict() == Keyed.WAIT ? new Start(Keyed.IN_DOUBT, null) : start;
    }

    private Start decide(Connection c, String key, String requestHash, long epoch) throws Exception {
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 7))")) {
            lock.setString(1, key);
            lock.executeQuery().close();
        }
        String storedHash = null;
        int status = 0;
        byte[] envelope = null;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT request_hash, status, response_body FROM idempotency_keys WHERE key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    storedHash = rs.getString(1);
                    status = rs.getInt(2);
                    envelope = rs.getBytes(3);
                }
            }
        }
        Keyed verdict = GatewayRules.keyed(requestHash, storedHash, status != 0, inFlight.containsKey(key));
        if (verdict == Keyed.REPLAY) {
            return new Start(verdict, unpack(status, envelope));
        }
        if (verdict != Keyed.FORWARD) {
            return new Start(verdict, null);
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO idempotency_keys"
                + " (key, request_hash, status, etag, response_body, written_epoch) VALUES (?, ?, 0, NULL, ?, ?)")) {
            ps.setString(1, key);
            ps.setString(2, requestHash);
            ps.setBytes(3, new byte[0]);
            ps.setLong(4, epoch);
            ps.executeUpdate();
        }
        if (!gate.stillOpen(epoch)) {
            throw new GateClosed(); // rolls the record back
        }
        // Still under the key's lock: no other request with this key can be decided between the commit and this.
        inFlight.put(key, new CompletableFuture<>());
        return new Start(verdict, null);
    }

    /**
     * The attempt {@link #begin} let forward with {@code key}; null for a request without a key (every call then does
     * nothing). Close it whatever happens: closing without {@link Attempt#answered} or {@link Attempt#notSent} leaves
     * the key in doubt, which is right whenever the application may have seen the request.
     */
    public Attempt attempt(String key) {
        return new Attempt(key);
    }

    /** One forwarded keyed request, from {@link #begin} to its end. */
    public final class Attempt implements AutoCloseable {
        private final String key;

        private Attempt(String key) {
            this.key = key;
        }

        /**
         * Records the application's answer under the key, before the write barrier (so a secondary that confirms the
         * write also has the answer). A server error (5xx) is not recorded and drops the key, as the built-in API does:
         * it is taken as "not applied", and a retry is forwarded again.
         */
        public void answered(Answer answer) throws Exception {
            if (key == null) {
                return;
            }
            if (answer.status() >= 500) {
                update(key, "DELETE FROM idempotency_keys WHERE key = ? AND status = 0", null);
            } else {
                update(key, "UPDATE idempotency_keys SET status = ?, response_body = ? WHERE key = ? AND status = 0", answer);
            }
        }

        /** The application never saw the request (no connection could be made): drops the key, a retry may go ahead. */
        public void notSent() throws Exception {
            if (key != null) {
                update(key, "DELETE FROM idempotency_keys WHERE key = ? AND status = 0", null);
            }
        }

        @Override
        public void close() {
            CompletableFuture<Void> attempt = key == null ? null : inFlight.remove(key);
            if (attempt != null) {
                attempt.complete(null);
            }
        }
    }

    private void update(String key, String sql, Answer answer) throws Exception {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                if (answer != null) {
                    ps.setInt(i++, answer.status());
                    ps.setBytes(i++, pack(answer));
                }
                ps.setString(i, key);
                return ps.executeUpdate();
            }
        });
    }

    /** {@code {"headers": [[name, value], ...], "body": base64}}: the built-in API's records hold its JSON answer instead. */
    static byte[] pack(Answer answer) {
        ObjectNode out = ClusterJson.MAPPER.createObjectNode();
        ArrayNode headers = out.putArray("headers");
        for (Map.Entry<String, String> h : answer.headers()) {
            headers.addArray().add(h.getKey()).add(h.getValue());
        }
        out.put("body", Base64.getEncoder().encodeToString(answer.body()));
        return ClusterJson.toBytes(out);
    }

    static Answer unpack(int status, byte[] envelope) throws Exception {
        JsonNode in = ClusterJson.MAPPER.readTree(envelope);
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (JsonNode h : in.path("headers")) {
            headers.add(Map.entry(h.path(0).asText(), h.path(1).asText()));
        }
        return new Answer(status, headers, Base64.getDecoder().decode(in.path("body").asText("")));
    }
}
