package io.understudy.node.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A small HTTP client over loopback for tests; blocking but for {@link #putAsync}. */
public final class Http {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Http() {
    }

    public static HttpResponse<byte[]> send(String method, String url, byte[] body, String... headers) {
        try {
            return CLIENT.send(request(method, url, body, headers), HttpResponse.BodyHandlers.ofByteArray());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A PUT whose answer the caller collects later: for a request that is expected to wait at the server. */
    public static CompletableFuture<HttpResponse<byte[]>> putAsync(String url, String json, String... headers) {
        return CLIENT.sendAsync(request("PUT", url, json.getBytes(StandardCharsets.UTF_8), headers),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static HttpRequest request(String method, String url, byte[] body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return b.build();
    }

    public static HttpResponse<byte[]> get(String url, String... headers) {
        return send("GET", url, null, headers);
    }

    public static HttpResponse<byte[]> put(String url, String json, String... headers) {
        return send("PUT", url, json.getBytes(StandardCharsets.UTF_8), headers);
    }

    public static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    /** Status of a GET, or -1 when nothing answers. */
    public static int status(String url) {
        try {
            return get(url).statusCode();
        } catch (java.io.UncheckedIOException e) {
            return -1;
        }
    }
}
