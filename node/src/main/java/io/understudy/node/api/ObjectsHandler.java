package io.understudy.node.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.understudy.node.store.Database;
import io.understudy.node.store.Etags;
import io.understudy.node.store.ObjectStore;
import io.understudy.node.store.Precondition;
import io.understudy.node.store.WriteOutcome;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /api/objects}: metadata objects. {@code PUT} stores the JSON body byte for byte and
 * {@code GET} returns exactly those bytes with an {@code ETag}. Runs on a worker thread.
 */
final class ObjectsHandler {

    static final String PREFIX = "/api/objects";
    private static final int MAX_ID_LENGTH = 512;
    private static final int MAX_LIST = 1000;

    /** Strict: one JSON value, nothing after it, no duplicate keys. */
    private static final ObjectReader JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION.mappedFeature())
            .reader();

    private final Database db;
    private final ObjectStore store;
    private final WritePath writes;
    private final long maxBytes;

    ObjectsHandler(Database db, ObjectStore store, WritePath writes, long maxBytes) {
        this.db = db;
        this.store = store;
        this.writes = writes;
        this.maxBytes = maxBytes;
    }

    void handle(HttpServerExchange exchange, String path) throws Exception {
        if (path.equals(PREFIX) || path.equals(PREFIX + "/")) {
            if (exchange.getRequestMethod().equals(Methods.GET) || exchange.getRequestMethod().equals(Methods.HEAD)) {
                list(exchange);
            } else {
                methodNotAllowed(exchange, "GET, HEAD");
            }
            return;
        }
        String id = path.substring(PREFIX.length() + 1);
        if (id.isEmpty() || id.length() > MAX_ID_LENGTH || id.contains("/") || id.chars().anyMatch(Character::isISOControl)) {
            Responses.error(exchange, 400, "bad_id",
                    "object id must be 1-" + MAX_ID_LENGTH + " characters without '/' or control characters");
            return;
        }
        switch (exchange.getRequestMethod().toString()) {
            case "GET", "HEAD" -> get(exchange, id);
            case "PUT" -> put(exchange, id);
            case "DELETE" -> delete(exchange, id);
            default -> methodNotAllowed(exchange, "GET, HEAD, PUT, DELETE");
        }
    }

    private void get(HttpServerExchange exchange, String id) throws Exception {
        Optional<ObjectStore.StoredObject> found = db.inSnapshot(c -> store.get(c, id));
        if (found.isEmpty()) {
            Responses.error(exchange, 404, "not_found", "no object '" + id + "'");
            return;
        }
        ObjectStore.StoredObject object = found.get();
        String etag = Responses.quote(object.etag());
        exchange.getResponseHeaders().put(Headers.ETAG, etag);
        String ifNoneMatch = exchange.getRequestHeaders().getFirst(Headers.IF_NONE_MATCH);
        if (ifNoneMatch != null && (ifNoneMatch.trim().equals("*") || object.etag().equals(Responses.unquote(ifNoneMatch)))) {
            exchange.setStatusCode(304);
            exchange.endExchange();
            return;
        }
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseSender().send(ByteBuffer.wrap(object.body()));
    }

    private void put(HttpServerExchange exchange, String id) throws Exception {
        if (!writes.acceptableKey(exchange) || !writes.admit(exchange)) {
            return;
        }
        // The body must be one JSON value whatever Content-Type says: clients such as curl -d send a
        // form type by default, and refusing them would only hide the real check below.
        if (exchange.getRequestContentLength() > maxBytes) {
            Responses.tooLarge(exchange, "objects are limited to " + maxBytes + " bytes");
            return;
        }
        byte[] body = exchange.getInputStream().readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        if (body.length > maxBytes) {
            Responses.tooLarge(exchange, "objects are limited to " + maxBytes + " bytes");
            return;
        }
        Optional<String> invalid = invalidJson(body);
        if (invalid.isPresent()) {
            Responses.error(exchange, 400, "invalid_json", "the body is not one valid JSON value: " + invalid.get());
            return;
        }
        Precondition pre = precondition(exchange);
        String etag = Etags.of(body);
        // without a precondition the upsert alone decides: one statement
        writes.execute(exchange, "PUT " + id + " " + etag, pre.unconditional(), putWork(id, body, etag, pre));
    }

    private WritePath.Work putWork(String id, byte[] body, String etag, Precondition pre) {
        return (c, epoch) -> {
            WriteOutcome outcome = store.put(c, id, body, etag, pre, epoch);
            if (outcome instanceof WriteOutcome.Written w) {
                return WritePath.Reply.of(w.created() ? 201 : 200, w.etag(),
                        Map.of("id", id, "etag", w.etag(), "version", w.version()));
            }
            return failedWrite(id, outcome);
        };
    }

    /**
     * A PUT of {@code {}} to {@code id} under {@code key}, as {@link WritePath#rehearse rehearsed}: the statements run and
     * are rolled back, nothing is written.
     */
    void rehearsePut(String id, String key) throws Exception {
        byte[] body = "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        invalidJson(body); // as a PUT's body is checked: warms the JSON parser's code
        String etag = Etags.of(body);
        writes.rehearse(key, "PUT " + id + " " + etag, putWork(id, body, etag, Precondition.NONE));
    }

    private void delete(HttpServerExchange exchange, String id) throws Exception {
        if (!writes.acceptableKey(exchange) || !writes.admit(exchange)) {
            return;
        }
        Precondition pre = precondition(exchange);
        writes.execute(exchange, "DELETE " + id, (c, epoch) -> {
            WriteOutcome outcome = store.delete(c, id, pre);
            return outcome instanceof WriteOutcome.Deleted ? new WritePath.Reply(204, null, new byte[0]) : failedWrite(id, outcome);
        });
    }

    private void list(HttpServerExchange exchange) throws Exception {
        String prefix = param(exchange, "prefix").orElse("");
        String after = param(exchange, "after").orElse(null);
        int limit;
        try {
            limit = Integer.parseInt(param(exchange, "limit").orElse("100"));
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > MAX_LIST) {
            Responses.error(exchange, 400, "bad_limit", "limit must be a number from 1 to " + MAX_LIST);
            return;
        }
        int max = limit;
        List<ObjectStore.Summary> items = db.inSnapshot(c -> store.list(c, prefix, after, max));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", items);
        body.put("next", items.size() == max ? items.get(items.size() - 1).id() : null);
        Responses.json(exchange, 200, body);
    }

    /** The reply for a write that changed nothing: 404 or 412. */
    static WritePath.Reply failedWrite(String what, WriteOutcome outcome) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (outcome instanceof WriteOutcome.PreconditionFailed f) {
            body.put("error", "precondition_failed");
            body.put("message", "'" + what + "' does not match the If-Match / If-None-Match condition");
            body.put("currentEtag", f.currentEtag());
            return WritePath.Reply.of(412, null, body);
        }
        if (outcome instanceof WriteOutcome.NotFound) {
            body.put("error", "not_found");
            body.put("message", "no '" + what + "'");
            return WritePath.Reply.of(404, null, body);
        }
        throw new IllegalStateException("not a failed write: " + outcome);
    }

    static Precondition precondition(HttpServerExchange exchange) {
        String ifMatch = Responses.unquote(exchange.getRequestHeaders().getFirst(Headers.IF_MATCH));
        String ifNoneMatch = exchange.getRequestHeaders().getFirst(Headers.IF_NONE_MATCH);
        return new Precondition(ifMatch, ifNoneMatch != null && ifNoneMatch.trim().equals("*"));
    }

    static void methodNotAllowed(HttpServerExchange exchange, String allowed) {
        exchange.getResponseHeaders().put(Headers.ALLOW, allowed);
        Responses.error(exchange, 405, "method_not_allowed", exchange.getRequestMethod() + " is not allowed here; use " + allowed);
    }

    private static Optional<String> param(HttpServerExchange exchange, String name) {
        var values = exchange.getQueryParameters().get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.getFirst());
    }

    private static Optional<String> invalidJson(byte[] body) {
        if (body.length == 0) {
            return Optional.of("empty body");
        }
        try {
            JsonNode ignored = JSON.readTree(body);
            return ignored == null || ignored.isMissingNode() ? Optional.of("empty body") : Optional.empty();
        } catch (IOException e) {
            String message = e.getMessage();
            int newline = message == null ? -1 : message.indexOf('\n');
            return Optional.of(newline > 0 ? message.substring(0, newline) : String.valueOf(message));
        }
    }
}
