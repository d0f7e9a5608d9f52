package io.understudy.launcher.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.understudy.cluster.ClusterJson;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.util.Optional;

/**
 * The client commands' HTTP to a switch's {@code /_understudy/} API (or a node's own API). Every
 * failure becomes a {@link CliFailure} that says what to do about it. Thread-safe.
 */
public final class AdminClient {

    /** A status code and the JSON body (a {@link NullNode} when the body is empty or not JSON). */
    public record Answer(int status, JsonNode body, String text) {
        public boolean ok() {
            return status / 100 == 2;
        }

        public String error() {
            return body.path("error").asText("");
        }

        public String message() {
            return body.path("message").asText(text);
        }
    }

    private final ClusterOptions options;
    private final HttpClient http;

    public AdminClient(ClusterOptions options) {
        this.options = options;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(options.timeout()).build();
    }

    public String url() {
        return options.url();
    }

    /** GET without a token. */
    public Answer get(String path) {
        return send("GET", path, null, false);
    }

    /** A request that needs the admin token; fails before sending when there is none. */
    public Answer act(String method, String path, Object body) {
        return send(method, path, body, true);
    }

    private Answer send(String method, String path, Object body, boolean withToken) {
        URI uri;
        try {
            uri = URI.create(options.url() + path);
        } catch (IllegalArgumentException e) {
            throw new CliFailure(2, "--url " + options.url() + " is not a URL: " + e.getMessage());
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(options.timeout())
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(ClusterJson.toString(body)));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        Optional<ClusterOptions.Token> token = withToken ? options.token() : Optional.empty();
        if (withToken && token.isEmpty()) {
            throw new CliFailure(2, "this needs the switch's admin token: give --token-file, set $" + ClusterOptions.TOKEN_ENV
                    + ", or run it where the local appliance's " + options.dataDir().resolve("conf/admin-token") + " is");
        }
        token.ifPresent(t -> request.header("Authorization", "Bearer " + t.value()));
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpConnectTimeoutException e) {
            throw unreachable("no connection within " + options.timeout().toMillis() + " ms");
        } catch (HttpTimeoutException e) {
            throw new CliFailure("no answer from " + uri + " within " + options.timeout().toMillis() + " ms (--timeout)");
        } catch (ConnectException e) {
            throw unreachable("connection refused");
        } catch (IOException | UnresolvedAddressException e) {
            throw unreachable(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure("interrupted while waiting for " + uri);
        } catch (IllegalArgumentException e) {
            throw new CliFailure(2, "--url " + options.url() + " is not an http(s) URL: " + e.getMessage());
        }
        Answer answer = new Answer(response.statusCode(), parse(response.body()), response.body());
        if (answer.status() == 401) {
            throw new CliFailure("the switch at " + options.url() + " did not accept the admin token from "
                    + token.map(ClusterOptions.Token::source).orElse("(none)") + ": " + answer.message());
        }
        if (answer.status() == 403) {
            throw new CliFailure("the switch at " + options.url() + " refuses admin actions: " + answer.message());
        }
        return answer;
    }

    private CliFailure unreachable(String why) {
        return new CliFailure("cannot reach " + options.url() + ": " + why + " (is the switch running? --url names it)");
    }

    private static JsonNode parse(String text) {
        if (text == null || text.isBlank()) {
            return NullNode.getInstance();
        }
        try {
            JsonNode node = ClusterJson.MAPPER.readTree(text);
            return node == null ? NullNode.getInstance() : node;
        } catch (IOException e) {
            return NullNode.getInstance();
        }
    }

    /** The answer when it is a 2xx; otherwise a failure quoting the switch's own message. */
    public static Answer expectOk(Answer answer, String what) {
        if (!answer.ok()) {
            throw new CliFailure(what + " refused (" + answer.status() + (answer.error().isEmpty() ? "" : " " + answer.error())
                    + "): " + answer.message());
        }
        return answer;
    }
}
