package io.understudy.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** The node API's objects endpoint, spoken over real HTTP (through the switch or to one node). */
final class ObjectsApi {

    /** Longer than the switch's hold time, so a held request gets its real answer. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    record Response(int status, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private ObjectsApi() {
    }

    static Response put(String baseUrl, String id, byte[] json) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/api/objects/" + id))
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(json))
                .build();
        HttpResponse<byte[]> response = HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
        return new Response(response.statusCode(), response.body());
    }

    /**
     * PUTs until the write is acknowledged (200 or 201); on a loaded machine a single request can outlast its timeout,
     * and a PUT is safe to repeat.
     */
    static void putUntilAcknowledged(String baseUrl, String id, byte[] json, java.time.Duration atMost) {
        org.awaitility.Awaitility.await("PUT " + id + " acknowledged").atMost(atMost).ignoreExceptions()
                .until(() -> put(baseUrl, id, json).status(), status -> status == 200 || status == 201);
    }

    static Response get(String baseUrl, String id) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/api/objects/" + id))
                .timeout(REQUEST_TIMEOUT)
                .GET()
                .build();
        HttpResponse<byte[]> response = HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
        return new Response(response.statusCode(), response.body());
    }

    /** A document per index that differs from every other one: nested objects, arrays, numbers, unicode. */
    static byte[] document(int i) {
        String json = """
                {"id":"obj-%d","title":"Bericht №%d — ünïcødé ✓ 日本語 🚀","index":%d,"ratio":%s,"active":%s,\
                "nested":{"owner":{"name":"user-%d","roles":["viewer","editor-%d"]},"tags":["t%d","q%d"],"empty":{}},\
                "rows":[%d,%d,%d],"note":null}""".formatted(i, i, i, i / 7.0, i % 2 == 0, i, i, i, i * i, i, i + 1, i + 2);
        return json.getBytes(StandardCharsets.UTF_8);
    }
}
