package io.understudy.launcher;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An HTTP proxy on loopback that forwards every request to a target and keeps its own log of each
 * exchange (method, path, bodies, status, when): a test's independent record of what a client
 * sent and what it was answered. A request it cannot forward is answered 502 and logged as such.
 */
final class RecordingProxy implements AutoCloseable {

    /** One request as the proxy saw it; {@code status} is what the client was answered. */
    record Exchange(String method, String path, String requestBody, int status, String responseBody, long startNanos,
                    long endNanos) {
    }

    private static final List<String> REQUEST_HEADERS = List.of("Content-Type", "Idempotency-Key", "If-None-Match", "If-Match");
    private static final List<String> RESPONSE_HEADERS = List.of("Content-Type", "ETag", "Idempotency-Replayed",
            "X-Understudy-Node", "X-Understudy-Served-Epoch");

    private final String target;
    private final HttpServer server;
    private final ExecutorService workers = Executors.newFixedThreadPool(16);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final ConcurrentLinkedQueue<Exchange> log = new ConcurrentLinkedQueue<>();

    private RecordingProxy(String target) throws IOException {
        this.target = target;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/", this::forward);
        server.setExecutor(workers);
        server.start();
    }

    static RecordingProxy start(String target) throws IOException {
        return new RecordingProxy(target);
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<Exchange> exchanges() {
        return List.copyOf(log);
    }

    private void forward(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target + exchange.getRequestURI()))
                .timeout(Duration.ofSeconds(60))
                .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        REQUEST_HEADERS.forEach(h -> {
            String value = exchange.getRequestHeaders().getFirst(h);
            if (value != null) {
                request.header(h, value);
            }
        });
        long start = System.nanoTime();
        int status;
        byte[] answer;
        try {
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            status = response.statusCode();
            answer = response.body();
            RESPONSE_HEADERS.forEach(h -> response.headers().firstValue(h)
                    .ifPresent(v -> exchange.getResponseHeaders().add(h, v)));
        } catch (IOException e) {
            status = 502;
            answer = ("{\"error\":\"proxy\",\"message\":\"" + e.getClass().getSimpleName() + "\"}").getBytes(StandardCharsets.UTF_8);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.close();
            return;
        }
        long end = System.nanoTime();
        log.add(new Exchange(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                new String(body, StandardCharsets.UTF_8), status, new String(answer, StandardCharsets.UTF_8), start, end));
        exchange.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
    }
}
