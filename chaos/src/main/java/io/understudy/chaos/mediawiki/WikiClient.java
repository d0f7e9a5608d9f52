package io.understudy.chaos.mediawiki;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * A client of MediaWiki's action API ({@code api.php}) as a bot would use it, with its own session (cookies): log in,
 * then edit pages and upload files with the session's CSRF token. Every write carries an {@code Idempotency-Key}, so
 * the switch may send it again to a new primary when the old one failed before answering, and the gateway hands it
 * to the wiki at most once. Not thread-safe: one client per writing thread.
 */
public final class WikiClient {

    /**
     * One answer as the client saw it.
     *
     * @param status  HTTP status, -1 when no answer came
     * @param epoch   {@code X-Understudy-Served-Epoch}, -1 when absent
     * @param body    the JSON answer, missing when it was not JSON
     * @param failure null, or what went wrong: no answer, not JSON, or the API's error code and text
     */
    public record Answer(int status, long epoch, JsonNode body, String failure) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String api;
    private final Duration timeout;
    private final HttpClient http;
    private String csrfToken;

    /** @param baseUrl the switch (or a node's gateway, or a PHP server directly) */
    public WikiClient(String baseUrl, Duration timeout) {
        this.api = baseUrl + "/api.php";
        this.timeout = timeout;
        CookieManager cookies = new CookieManager();
        cookies.setCookiePolicy(CookiePolicy.ACCEPT_ALL);
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).cookieHandler(cookies)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** Logs in ({@code action=login}) and fetches the session's CSRF token. @throws IOException when either fails */
    public void login(String user, String password) throws IOException, InterruptedException {
        String loginToken = token("login");
        Answer login = post(form(Map.of("action", "login", "lgname", user, "lgpassword", password, "lgtoken", loginToken)),
                "application/x-www-form-urlencoded", null);
        if (!"Success".equals(login.body().path("login").path("result").asText())) {
            throw new IOException("login as " + user + " failed: " + login);
        }
        csrfToken = token("csrf");
    }

    private String token(String type) throws IOException, InterruptedException {
        Answer a = send(HttpRequest.newBuilder(URI.create(api + "?action=query&meta=tokens&format=json&formatversion=2&type="
                + type)).GET(), null);
        String token = a.body().path("query").path("tokens").path(type + "token").asText("");
        if (token.isEmpty()) {
            throw new IOException("no " + type + " token from " + api + ": " + a);
        }
        return token;
    }

    /** Creates or replaces page {@code title} with {@code text}. */
    public Answer edit(String title, String text, String idempotencyKey) throws InterruptedException {
        return post(form(Map.of("action", "edit", "title", title, "text", text, "summary", "written by the failover test",
                "token", csrfToken)), "application/x-www-form-urlencoded", idempotencyKey);
    }

    /** Uploads {@code content} as file {@code fileName} (a new file; an identical one already there answers a warning). */
    public Answer upload(String fileName, byte[] content, String idempotencyKey) throws InterruptedException {
        String boundary = "understudy-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        Map<String, String> fields = apiFields(Map.of("action", "upload", "filename", fileName, "comment",
                "uploaded by the failover test", "token", csrfToken));
        fields.forEach((name, value) -> body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\""
                + name + "\"\r\n\r\n" + value + "\r\n").getBytes(StandardCharsets.UTF_8)));
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + fileName
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(content);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return post(body.toByteArray(), "multipart/form-data; boundary=" + boundary, idempotencyKey);
    }

    private Answer post(byte[] body, String contentType, String idempotencyKey) throws InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        return send(b, idempotencyKey);
    }

    private Answer send(HttpRequest.Builder request, String idempotencyKey) throws InterruptedException {
        request.timeout(timeout);
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        HttpResponse<byte[]> r;
        try {
            r = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            return new Answer(-1, -1, MissingNode.getInstance(), "no answer: " + e);
        }
        long epoch = r.headers().firstValueAsLong("X-Understudy-Served-Epoch").orElse(-1);
        JsonNode json;
        try {
            json = JSON.readTree(r.body());
        } catch (IOException e) {
            json = null;
        }
        String text = new String(r.body(), StandardCharsets.UTF_8);
        if (json == null || !json.isObject()) {
            return new Answer(r.statusCode(), epoch, MissingNode.getInstance(), "not JSON: " + abbreviate(text));
        }
        String failure = null;
        if (r.statusCode() != 200) {
            failure = "HTTP " + r.statusCode() + ": " + abbreviate(text);
        } else if (json.has("error")) {
            failure = json.path("error").path("code").asText() + ": " + json.path("error").path("info").asText();
        }
        return new Answer(r.statusCode(), epoch, json, failure);
    }

    private static byte[] form(Map<String, String> fields) {
        return apiFields(fields).entrySet().stream()
                .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
                .collect(Collectors.joining("&")).getBytes(StandardCharsets.UTF_8);
    }

    /** The fields with the answer format every call asks for; the token goes last, as MediaWiki recommends. */
    private static Map<String, String> apiFields(Map<String, String> fields) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("format", "json");
        all.put("formatversion", "2");
        fields.forEach((k, v) -> {
            if (!k.equals("token")) {
                all.put(k, v);
            }
        });
        if (fields.containsKey("token")) {
            all.put("token", fields.get("token"));
        }
        return all;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String abbreviate(String s) {
        String flat = s.replaceAll("\\s+", " ").trim();
        return flat.length() > 300 ? flat.substring(0, 300) + "..." : flat;
    }
}
