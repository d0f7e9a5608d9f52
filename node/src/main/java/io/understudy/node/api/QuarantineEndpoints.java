package io.understudy.node.api;

import io.understudy.node.rejoin.QuarantineStore;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /quarantine}: the transactions a diverged old primary kept aside, as a JSON list of headers (id, epoch,
 * transactions, changes, createdAt, complete, ...); {@code GET /quarantine/{id}}: one of them, the full export.
 * Read-only, on every node whatever its role: ops read and export them from the node that wrote them.
 */
final class QuarantineEndpoints {

    static final String PREFIX = "/quarantine";

    private final QuarantineStore store;

    QuarantineEndpoints(QuarantineStore store) {
        this.store = store;
    }

    static boolean matches(String path) {
        return path.equals(PREFIX) || path.startsWith(PREFIX + "/");
    }

    void handle(HttpServerExchange exchange, String path) throws Exception {
        if (!exchange.getRequestMethod().equals(Methods.GET)) {
            exchange.getResponseHeaders().put(Headers.ALLOW, "GET");
            Responses.error(exchange, 405, "method_not_allowed", "quarantines are read-only: use GET");
            return;
        }
        if (path.equals(PREFIX) || path.equals(PREFIX + "/")) {
            List<Map<String, Object>> all = store.list();
            Responses.json(exchange, 200, all);
            return;
        }
        String id = path.substring(PREFIX.length() + 1);
        Optional<Path> file = store.file(id);
        if (file.isEmpty()) {
            Responses.error(exchange, 404, "not_found", "no quarantine '" + id + "' on this node", Map.of("id", id));
            return;
        }
        exchange.setStatusCode(200);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseHeaders().put(Headers.CONTENT_DISPOSITION, "attachment; filename=\"" + id + ".json\"");
        exchange.setResponseContentLength(Files.size(file.get()));
        try (InputStream in = Files.newInputStream(file.get()); OutputStream out = exchange.getOutputStream()) {
            in.transferTo(out);
        }
    }
}
