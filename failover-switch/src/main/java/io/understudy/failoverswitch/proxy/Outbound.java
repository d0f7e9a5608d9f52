package io.understudy.failoverswitch.proxy;

import io.understudy.cluster.Headers;
import io.undertow.client.ClientRequest;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ServerConnection;
import io.undertow.util.AttachmentKey;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.HttpString;
import java.net.InetSocketAddress;
import java.util.Set;

/**
 * Builds the request sent to a node from the client's request, and copies a node's response
 * headers back. Hop-by-hop headers stay on their hop; the switch owns the epoch stamp, the node token and (unless
 * a trusted load balancer is in front) the {@code X-Forwarded-*} headers. Pure apart from reading
 * the exchange.
 */
final class Outbound {

    static final HttpString EPOCH = HttpString.tryFromString(Headers.EPOCH);
    static final HttpString IDEMPOTENCY_KEY = HttpString.tryFromString(Headers.IDEMPOTENCY_KEY);
    static final HttpString TOKEN = HttpString.tryFromString(Headers.TOKEN);
    private static final AttachmentKey<String> CLIENT_ADDRESS = AttachmentKey.create(String.class);
    private static final HttpString X_FORWARDED_FOR = io.undertow.util.Headers.X_FORWARDED_FOR;
    private static final HttpString X_FORWARDED_PROTO = io.undertow.util.Headers.X_FORWARDED_PROTO;
    private static final HttpString X_FORWARDED_HOST = io.undertow.util.Headers.X_FORWARDED_HOST;
    private static final HttpString X_FORWARDED_PORT = io.undertow.util.Headers.X_FORWARDED_PORT;

    /** Never copied from the client: hop-by-hop, framing (set per attempt) or owned by the switch. */
    private static final Set<HttpString> REQUEST_SKIP = Set.of(io.undertow.util.Headers.CONNECTION,
            io.undertow.util.Headers.KEEP_ALIVE, HttpString.tryFromString("Proxy-Connection"),
            io.undertow.util.Headers.TE, io.undertow.util.Headers.TRAILER, io.undertow.util.Headers.UPGRADE,
            io.undertow.util.Headers.EXPECT, io.undertow.util.Headers.TRANSFER_ENCODING,
            io.undertow.util.Headers.CONTENT_LENGTH, io.undertow.util.Headers.PROXY_AUTHORIZATION, EPOCH, TOKEN,
            X_FORWARDED_FOR, X_FORWARDED_PROTO, X_FORWARDED_HOST, X_FORWARDED_PORT);

    /** Never copied from the node: hop-by-hop; the switch frames the client response itself. */
    private static final Set<HttpString> RESPONSE_SKIP = Set.of(io.undertow.util.Headers.CONNECTION,
            io.undertow.util.Headers.KEEP_ALIVE, HttpString.tryFromString("Proxy-Connection"),
            io.undertow.util.Headers.TRANSFER_ENCODING, io.undertow.util.Headers.TRAILER,
            io.undertow.util.Headers.UPGRADE);

    private Outbound() {
    }

    /**
     * @param bodyLength bytes of body that will be written, or -1 for a streamed body of unknown
     *                   length (sent chunked)
     * @param nodeToken  the cluster's token for the nodes, or null; a client's own is never passed on
     */
    static ClientRequest request(HttpServerExchange exchange, Backend backend, long bodyLength, boolean trustForwarded,
                                 String nodeToken) {
        ClientRequest request = new ClientRequest().setMethod(exchange.getRequestMethod());
        String uri = exchange.getRequestURI();
        if (exchange.isHostIncludedInRequestURI()) {
            int scheme = uri.indexOf("//");
            int path = scheme < 0 ? -1 : uri.indexOf('/', scheme + 2);
            uri = path < 0 ? "/" : uri.substring(path);
        }
        String query = exchange.getQueryString();
        String prefix = backend.pathPrefix();
        request.setPath(query.isEmpty() ? prefix + uri : prefix + uri + "?" + query);

        HeaderMap in = exchange.getRequestHeaders();
        HeaderMap out = request.getRequestHeaders();
        for (HeaderValues values : in) {
            HttpString name = values.getHeaderName();
            if (!REQUEST_SKIP.contains(name)) {
                out.addAll(name, values);
            }
        }
        if (bodyLength > 0) {
            out.put(io.undertow.util.Headers.CONTENT_LENGTH, bodyLength);
        } else if (bodyLength < 0) {
            out.put(io.undertow.util.Headers.TRANSFER_ENCODING, "chunked");
        }
        out.put(EPOCH, backend.epochHeader());
        if (nodeToken != null) {
            out.put(TOKEN, nodeToken);
        }
        forwarded(exchange, in, out, trustForwarded);
        return request;
    }

    private static void forwarded(HttpServerExchange exchange, HeaderMap in, HeaderMap out, boolean trust) {
        String client = clientAddress(exchange);
        String priorFor = trust ? in.getFirst(X_FORWARDED_FOR) : null;
        out.put(X_FORWARDED_FOR, priorFor == null || priorFor.isBlank() ? client : priorFor + ", " + client);
        copyOr(in, out, X_FORWARDED_PROTO, trust, exchange.getRequestScheme());
        copyOr(in, out, X_FORWARDED_HOST, trust, in.getFirst(io.undertow.util.Headers.HOST));
        copyOr(in, out, X_FORWARDED_PORT, trust, Integer.toString(exchange.getHostPort()));
    }

    /** The client's IP address as text, formatted once per client connection (its peer cannot change). */
    private static String clientAddress(HttpServerExchange exchange) {
        ServerConnection connection = exchange.getConnection();
        String known = connection.getAttachment(CLIENT_ADDRESS);
        if (known == null) {
            InetSocketAddress peer = exchange.getSourceAddress();
            known = peer == null || peer.getAddress() == null ? "unknown" : peer.getAddress().getHostAddress();
            connection.putAttachment(CLIENT_ADDRESS, known);
        }
        return known;
    }

    private static void copyOr(HeaderMap in, HeaderMap out, HttpString name, boolean trust, String own) {
        String prior = trust ? in.getFirst(name) : null;
        String value = prior != null ? prior : own;
        if (value != null) {
            out.put(name, value);
        }
    }

    static void copyResponseHeaders(HeaderMap from, HeaderMap to) {
        for (HeaderValues values : from) {
            HttpString name = values.getHeaderName();
            if (!RESPONSE_SKIP.contains(name)) {
                to.addAll(name, values);
            }
        }
    }
}
