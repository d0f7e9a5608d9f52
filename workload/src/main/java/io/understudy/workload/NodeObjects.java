package io.understudy.workload;

import com.fasterxml.jackson.databind.JsonNode;
import io.understudy.cluster.ClusterJson;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Reads what one node holds, from the node's own API (a secondary serves reads on its own address). Thread-safe. */
public final class NodeObjects {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int PAGE = 1000;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    /**
     * Every object whose id starts with {@code prefix} on the node at {@code apiUrl}, with ids after
     * {@code startAfter} (null: all), by id.
     *
     * @throws IOException when the node does not answer or answers anything but 200
     */
    public Map<String, Stored> list(String apiUrl, String prefix, String startAfter) throws IOException, InterruptedException {
        Map<String, Stored> out = new HashMap<>();
        String after = startAfter;
        while (true) {
            String url = apiUrl + "/api/objects?limit=" + PAGE + "&prefix=" + encode(prefix)
                    + (after == null ? "" : "&after=" + encode(after));
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new IOException(apiUrl + " answered " + r.statusCode() + " to " + url);
            }
            JsonNode page = ClusterJson.MAPPER.readTree(r.body());
            for (JsonNode item : page.path("items")) {
                out.put(item.path("id").asText(), new Stored(item.path("etag").asText(), item.path("version").asLong()));
            }
            if (page.path("next").isNull() || page.path("next").isMissingNode()) {
                return out;
            }
            after = page.path("next").asText();
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
