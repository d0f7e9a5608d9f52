package io.understudy.node.api;

import io.understudy.node.app.GatewayRules.Admission;
import io.understudy.node.app.GatewayRules.Relay;
import io.understudy.node.app.KeyedRequests.Answer;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpEntity;

/**
 * What the application gateway says itself: refusals and withheld answers in the built-in API's words (so the switch
 * holds and retries the same way), the application's buffered answers, and the bounded reading of bodies it holds.
 */
final class GatewayReplies {

    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7e]{1,255}");

    private final NodeState node;
    private final long maxBufferedBytes;

    GatewayReplies(NodeState node, long maxBufferedBytes) {
        this.node = node;
        this.maxBufferedBytes = maxBufferedBytes;
    }

    /** A request not let through: 421 and 400 as they are, 503 {@code not_primary} naming the primary if known. */
    void refuse(HttpServerExchange exchange, Admission.Refuse refuse) {
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("role", node.role().name());
        extra.put("servedEpoch", node.epoch());
        String where = "";
        var other = node.primary().filter(p -> !p.nodeId().equals(node.nodeId()));
        if (other.isPresent() && refuse.status() == 503) {
            String url = other.get().appUrl() != null ? other.get().appUrl() : other.get().apiUrl();
            extra.put("primary", Map.of("nodeId", other.get().nodeId(), "appUrl", url, "epoch", other.get().epoch()));
            where = "; the primary is " + other.get().nodeId() + " at " + url;
        }
        if (refuse.status() == 503) {
            exchange.getResponseHeaders().put(io.undertow.util.Headers.RETRY_AFTER, "1");
        }
        Responses.error(exchange, refuse.status(), refuse.error(), "node " + node.nodeId() + " does not pass requests to"
                + " its application (" + node.role() + ": " + refuse.message() + ")" + where, extra);
    }

    /** The application answered, but this node may no longer say so. */
    void withhold(HttpServerExchange exchange, Relay.Withhold withhold) {
        unavailable(exchange, withhold.status(), withhold.error(), withhold.message());
    }

    void unavailable(HttpServerExchange exchange, String code, String message) {
        unavailable(exchange, 503, code, message);
    }

    void unavailable(HttpServerExchange exchange, int status, String code, String message) {
        exchange.getResponseHeaders().put(io.undertow.util.Headers.RETRY_AFTER, "1");
        Responses.error(exchange, status, code, message);
    }

    /** The application could not be asked, or did not answer in full. */
    void appFailed(HttpServerExchange exchange, AppClient.Failed failed) {
        switch (failed.failure) {
            case UNREACHED -> unavailable(exchange, "app_unavailable", "the application of " + node.nodeId()
                    + " does not accept connections (" + failed.getMessage() + "); nothing was sent to it");
            case TIMEOUT -> unavailable(exchange, 504, "app_timeout", "the application of " + node.nodeId()
                    + " did not answer within app.timeoutMs; it may or may not have applied the request");
            case BROKEN -> unavailable(exchange, 502, "app_failed", "the connection to the application of " + node.nodeId()
                    + " broke (" + failed.getMessage() + "); it may or may not have applied the request");
        }
    }

    /** Relays a buffered answer of the application with the gateway's own headers. */
    void send(HttpServerExchange exchange, Answer answer, boolean replayed) {
        exchange.setStatusCode(answer.status());
        for (Map.Entry<String, String> h : answer.headers()) {
            if (!h.getKey().equalsIgnoreCase("content-length")) {
                exchange.getResponseHeaders().add(HttpString.tryFromString(h.getKey()), h.getValue());
            }
        }
        exchange.getResponseHeaders().put(AppGateway.APPLICATION, "relayed");
        if (replayed) {
            exchange.getResponseHeaders().put(WritePath.REPLAYED, "true");
        }
        if (exchange.getRequestMethod().equals(Methods.HEAD) || answer.status() == 204 || answer.status() == 304) {
            exchange.endExchange();
            return;
        }
        exchange.getResponseSender().send(ByteBuffer.wrap(answer.body()));
    }

    /** The application's answer read in full, or null when it is larger than {@code app.maxBufferedBytes}. */
    Answer readAnswer(ClassicHttpResponse response) throws IOException {
        HttpEntity entity = response.getEntity();
        byte[] body = new byte[0];
        if (entity != null) {
            try (InputStream in = entity.getContent()) {
                body = readUpTo(in);
            }
        }
        return body == null ? null : new Answer(response.getCode(), AppClient.relayedHeaders(response.getHeaders()), body);
    }

    /** The client's body read in full, or null after answering 413 when it is larger than {@code app.maxBufferedBytes}. */
    byte[] readBody(HttpServerExchange exchange) throws IOException {
        if (exchange.getRequestContentLength() > maxBufferedBytes) {
            Responses.tooLarge(exchange, "a request with an Idempotency-Key may carry at most app.maxBufferedBytes ("
                    + maxBufferedBytes + " bytes)");
            return null;
        }
        byte[] body = readUpTo(exchange.getInputStream());
        if (body == null) {
            exchange.setPersistent(false);
            Responses.error(exchange, 413, "too_large", "a request with an Idempotency-Key may carry at most"
                    + " app.maxBufferedBytes (" + maxBufferedBytes + " bytes)");
        }
        return body;
    }

    private byte[] readUpTo(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[16 * 1024];
        for (int n; (n = in.read(buffer)) != -1; ) {
            if (out.size() + n > maxBufferedBytes) {
                return null;
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    /** Answers 400 and returns false for a malformed key, as the built-in API does. */
    static boolean acceptableKey(HttpServerExchange exchange, String key) {
        if (!KEY.matcher(key).matches()) {
            Responses.error(exchange, 400, "bad_idempotency_key", "Idempotency-Key must be 1-255 visible ASCII characters");
            return false;
        }
        return true;
    }

    /** Method, target and body: what makes two requests under one key the same request. */
    static String requestHash(HttpServerExchange exchange, byte[] body) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            String query = exchange.getQueryString();
            sha.update(("gateway " + exchange.getRequestMethod() + " " + exchange.getRequestURI()
                    + (query.isEmpty() ? "" : "?" + query) + "\n").getBytes(StandardCharsets.UTF_8));
            sha.update(body);
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
