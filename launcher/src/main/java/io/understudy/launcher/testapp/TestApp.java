package io.understudy.launcher.testapp;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.understudy.launcher.HttpJson;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small application to put behind a node's gateway in tests and drills (run it with {@code understudy testapp}, or
 * start it in a test's own JVM): it keeps rows with sequence ids in its own table in the node's PostgreSQL through its
 * own role, and files in a directory. Every answer names the application ({@code X-Test-App}).
 *
 * <ul>
 *   <li>{@code POST /items}: a new row with the next id, the body as its text: 201 {@code {"id", "app"}}</li>
 *   <li>{@code PUT /items/{key}}: creates or replaces the row with that key: 201 or 200 {@code {"id", "key", "app"}};
 *       {@code GET /items/{key}}: the row, or 404; {@code GET /items}: {@code {"count", "maxId"}}</li>
 *   <li>{@code PUT /objects/{id}}: writes a row of the node's built-in {@code objects} table (JSON body)</li>
 *   <li>{@code PUT /files/{name}}, {@code GET /files/{name}}: a file in the files directory, written to a temp file in
 *       a directory beside it ({@code <files dir>.incoming}, so a replicated directory never holds a half-written
 *       file) and moved in</li>
 *   <li>{@code POST /admin/hold} and {@code /admin/release}: while held, a write is applied and then answered only
 *       once released (at most 2 min), to catch a request inside the application; {@code GET /admin/stats}:
 *       {@code {"requests", "writes", "held"}} (requests other than {@code /admin/})</li>
 * </ul>
 * The epoch a gateway admitted the request in ({@code X-Understudy-Epoch}) is stored with each row. A database error
 * is answered 503 {@code {"error": "database"}}.
 */
public final class TestApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TestApp.class);
    private static final Duration MAX_HOLD = Duration.ofMinutes(2);

    private final String name;
    private final TestAppStore store;
    private final Path filesDir;
    private final Path incoming;
    private final HttpServer server;
    private final ExecutorService workers = Executors.newFixedThreadPool(16);
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
    private final AtomicInteger held = new AtomicInteger();
    private final Object holdLock = new Object();
    private boolean holding;

    private TestApp(String name, TestAppStore store, Path filesDir, HttpServer server) {
        this.name = name;
        this.store = store;
        this.filesDir = filesDir;
        this.incoming = filesDir == null ? null : filesDir.resolveSibling(filesDir.getFileName() + ".incoming");
        this.server = server;
    }

    /**
     * Starts serving on {@code host:port} (0 picks a free port).
     *
     * @param filesDir where {@code /files} keeps its files; null for none
     */
    public static TestApp start(String name, String host, int port, TestAppStore store, Path filesDir) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 64);
        TestApp app = new TestApp(name, store, filesDir, server);
        server.createContext("/", app::handle);
        server.setExecutor(app.workers);
        server.start();
        LOG.info("test application {} listening on {}", name, app.url());
        return app;
    }

    public String url() {
        return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestURI().getPath().startsWith("/admin/")) {
            requests.incrementAndGet();
        }
        exchange.getResponseHeaders().add("X-Test-App", name);
        try (exchange) {
            try {
                route(exchange, exchange.getRequestMethod(), exchange.getRequestURI().getPath());
            } catch (SQLException e) {
                LOG.info("{} {}: database: {}", exchange.getRequestMethod(), exchange.getRequestURI(), e.getMessage());
                HttpJson.send(exchange, 503, Map.of("error", "database", "message", String.valueOf(e.getMessage())));
            }
        }
    }

    private void route(HttpExchange exchange, String method, String path) throws IOException, SQLException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        long epoch = epochOf(exchange);
        if (path.startsWith("/admin/")) {
            admin(exchange, method, path);
        } else if (path.equals("/items") && method.equals("POST")) {
            long id = store.insert(new String(body, StandardCharsets.UTF_8), name, epoch);
            written(exchange, 201, Map.of("id", id, "app", name));
        } else if (path.equals("/items") && method.equals("GET")) {
            HttpJson.send(exchange, 200, store.summary());
        } else if (path.startsWith("/items/") && method.equals("PUT")) {
            Map<String, Object> row = new LinkedHashMap<>(store.upsert(path.substring(7),
                    new String(body, StandardCharsets.UTF_8), name, epoch));
            row.put("app", name);
            written(exchange, Boolean.TRUE.equals(row.remove("created")) ? 201 : 200, row);
        } else if (path.startsWith("/items/") && method.equals("GET")) {
            var row = store.find(path.substring(7));
            HttpJson.send(exchange, row.isPresent() ? 200 : 404, row.isPresent() ? row.get() : Map.of("error", "not_found"));
        } else if (path.startsWith("/objects/") && method.equals("PUT")) {
            store.putObject(path.substring(9), body, epoch);
            written(exchange, 200, Map.of("id", path.substring(9), "app", name));
        } else if (path.startsWith("/files/") && filesDir != null) {
            file(exchange, method, path.substring(7), body);
        } else {
            HttpJson.send(exchange, 404, Map.of("error", "not_found", "message", "no such endpoint: " + method + " " + path));
        }
    }

    private void admin(HttpExchange exchange, String method, String path) throws IOException {
        switch (method + " " + path) {
            case "POST /admin/hold" -> hold(true);
            case "POST /admin/release" -> hold(false);
            case "GET /admin/stats" -> { }
            default -> {
                HttpJson.send(exchange, 404, Map.of("error", "not_found"));
                return;
            }
        }
        HttpJson.send(exchange, 200, Map.of("requests", requests.get(), "writes", writes.get(), "held", held.get()));
    }

    private void hold(boolean on) {
        synchronized (holdLock) {
            holding = on;
            holdLock.notifyAll();
        }
    }

    /** The answer to a write that was applied: counted, and kept back while held. */
    private void written(HttpExchange exchange, int status, Object body) throws IOException {
        writes.incrementAndGet();
        synchronized (holdLock) {
            if (holding) {
                held.incrementAndGet();
                long deadline = System.nanoTime() + MAX_HOLD.toNanos();
                try {
                    while (holding && System.nanoTime() < deadline) {
                        holdLock.wait(TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 1);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    held.decrementAndGet();
                }
            }
        }
        HttpJson.send(exchange, status, body);
    }

    private void file(HttpExchange exchange, String method, String name, byte[] body) throws IOException {
        Path target = filesDir.resolve(name).normalize();
        if (!target.startsWith(filesDir) || name.isEmpty()) {
            HttpJson.send(exchange, 400, Map.of("error", "bad_name"));
            return;
        }
        if (method.equals("PUT")) {
            Files.createDirectories(target.getParent());
            Files.createDirectories(incoming);
            Path temp = Files.createTempFile(incoming, "upload-", ".tmp");
            Files.write(temp, body);
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            written(exchange, 201, Map.of("name", name, "size", body.length, "app", this.name));
        } else if (method.equals("GET") && Files.isRegularFile(target)) {
            byte[] content = Files.readAllBytes(target);
            exchange.sendResponseHeaders(200, content.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(content);
            }
        } else {
            HttpJson.send(exchange, 404, Map.of("error", "not_found"));
        }
    }

    private static long epochOf(HttpExchange exchange) {
        String stamped = exchange.getRequestHeaders().getFirst("X-Understudy-Epoch");
        try {
            return stamped == null ? 0 : Long.parseLong(stamped.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Stops listening; requests still held are released first. */
    @Override
    public void close() {
        hold(false);
        server.stop(0);
        workers.shutdownNow();
    }
}
