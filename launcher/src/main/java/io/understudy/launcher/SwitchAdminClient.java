package io.understudy.launcher;

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
import java.util.Map;

/** The switch's membership actions ({@code /_understudy/members/{id}/...}), called with the appliance's admin token. */
final class SwitchAdminClient {

    /** The switch's answer: its HTTP status and JSON body ({@code {"error", "message"}} on a refusal). */
    record Answer(int status, JsonNode body) {
        boolean ok() {
            return status / 100 == 2;
        }

        String message() {
            return body.path("message").asText(body.toString());
        }
    }

    /** The switch waits for the primary to carry a removal out; leave it more than that. */
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final String switchUrl;
    private final String token;

    SwitchAdminClient(String switchUrl, String token) {
        this.switchUrl = switchUrl;
        this.token = token;
    }

    /** Decommissions {@code nodeId}: the primary drops its slot and publication, the node may not rejoin. */
    Answer removeMember(String nodeId, String reason) {
        return post(nodeId, "remove", Map.of("reason", reason));
    }

    /** Lets a removed {@code nodeId} join again. */
    Answer readmitMember(String nodeId) {
        return post(nodeId, "readmit", Map.of());
    }

    private Answer post(String nodeId, String action, Map<String, String> body) {
        URI uri = URI.create(switchUrl + "/_understudy/members/" + URLEncoder.encode(nodeId, StandardCharsets.UTF_8) + "/" + action);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(ClusterJson.toBytes(body))).build();
        try {
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            JsonNode json = response.body().length == 0 ? ClusterJson.MAPPER.createObjectNode()
                    : ClusterJson.MAPPER.readTree(response.body());
            return new Answer(response.statusCode(), json);
        } catch (IOException e) {
            throw new IllegalStateException("the switch at " + switchUrl + " did not answer " + uri.getPath() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while calling " + uri, e);
        }
    }
}
