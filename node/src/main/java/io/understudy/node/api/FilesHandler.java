package io.understudy.node.api;

import io.understudy.node.store.Database;
import io.understudy.node.store.FileStore;
import io.understudy.node.store.Precondition;
import io.understudy.node.store.WriteOutcome;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.io.OutputStream;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /api/files/{path}}: the data repository. Uploads and downloads stream chunk by chunk,
 * inside one transaction each. Runs on a worker thread in blocking mode.
 */
final class FilesHandler {

    static final String PREFIX = "/api/files/";
    private static final int MAX_PATH_LENGTH = 1024;

    private final Database db;
    private final FileStore store;
    private final WritePath writes;
    private final long maxBytes;

    FilesHandler(Database db, FileStore store, WritePath writes, long maxBytes) {
        this.db = db;
        this.store = store;
        this.writes = writes;
        this.maxBytes = maxBytes;
    }

    void handle(HttpServerExchange exchange, String path) throws Exception {
        String file = path.substring(PREFIX.length());
        Optional<String> bad = invalidPath(file);
        if (bad.isPresent()) {
            Responses.error(exchange, 400, "bad_path", bad.get());
            return;
        }
        switch (exchange.getRequestMethod().toString()) {
            case "GET", "HEAD" -> get(exchange, file);
            case "PUT" -> put(exchange, file);
            case "DELETE" -> delete(exchange, file);
            default -> ObjectsHandler.methodNotAllowed(exchange, "GET, HEAD, PUT, DELETE");
        }
    }

    static Optional<String> invalidPath(String file) {
        if (file.isEmpty() || file.length() > MAX_PATH_LENGTH) {
            return Optional.of("file path must be 1-" + MAX_PATH_LENGTH + " characters");
        }
        if (file.startsWith("/") || file.endsWith("/") || file.contains("//")) {
            return Optional.of("file path must not start or end with '/' or contain empty segments");
        }
        for (String segment : file.split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                return Optional.of("file path must not contain '.' or '..' segments");
            }
        }
        if (file.chars().anyMatch(Character::isISOControl)) {
            return Optional.of("file path must not contain control characters");
        }
        return Optional.empty();
    }

    private void get(HttpServerExchange exchange, String file) throws Exception {
        db.inSnapshot(c -> {
            Optional<FileStore.FileInfo> info = store.info(c, file);
            if (info.isEmpty()) {
                Responses.error(exchange, 404, "not_found", "no file '" + file + "'");
                return null;
            }
            FileStore.FileInfo f = info.get();
            exchange.getResponseHeaders().put(Headers.ETAG, Responses.quote(f.etag()));
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, f.contentType());
            exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, f.size());
            if (exchange.getRequestMethod().equals(Methods.HEAD)) {
                exchange.endExchange();
                return null;
            }
            try (OutputStream out = exchange.getOutputStream()) {
                store.copyContent(c, f, out);
            }
            return null;
        });
    }

    private void put(HttpServerExchange exchange, String file) throws Exception {
        if (!writes.acceptableKey(exchange) || !writes.admit(exchange)) {
            return;
        }
        long declared = exchange.getRequestContentLength();
        if (declared > maxBytes) {
            Responses.tooLarge(exchange, "files are limited to " + maxBytes + " bytes");
            return;
        }
        String contentType = Optional.ofNullable(exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE))
                .orElse("application/octet-stream");
        Precondition pre = ObjectsHandler.precondition(exchange);
        try {
            // The body is streamed inside the transaction, so its hash is not known up front; the
            // declared length stands in for it when a keyed retry is matched to the original.
            writes.execute(exchange, "PUT file " + file + " " + declared, (c, epoch) -> {
                WriteOutcome outcome = store.put(c, file, exchange.getInputStream(), contentType, maxBytes, pre, epoch);
                if (outcome instanceof WriteOutcome.Written w) {
                    return WritePath.Reply.of(w.created() ? 201 : 200, w.etag(), Map.of("path", file, "etag", w.etag()));
                }
                return ObjectsHandler.failedWrite(file, outcome);
            });
        } catch (FileStore.TooLargeException e) {
            Responses.tooLarge(exchange, e.getMessage());
        }
    }

    private void delete(HttpServerExchange exchange, String file) throws Exception {
        if (!writes.acceptableKey(exchange) || !writes.admit(exchange)) {
            return;
        }
        Precondition pre = ObjectsHandler.precondition(exchange);
        writes.execute(exchange, "DELETE file " + file, (c, epoch) -> {
            WriteOutcome outcome = store.delete(c, file, pre);
            return outcome instanceof WriteOutcome.Deleted ? new WritePath.Reply(204, null, new byte[0])
                    : ObjectsHandler.failedWrite(file, outcome);
        });
    }
}
