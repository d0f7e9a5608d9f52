package io.understudy.launcher;

import io.understudy.cluster.ClusterJson;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

/** Calls the control endpoint of the appliance running on a data dir ({@link ApplianceControl}). */
final class ControlClient {

    /** The answer: HTTP status and the JSON text. */
    record Answer(int status, String json) {
        boolean ok() {
            return status / 100 == 2;
        }
    }

    private final URI base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    private ControlClient(URI base, String token) {
        this.base = base;
        this.token = token;
    }

    /** @throws IllegalStateException when no appliance runs on {@code dataDir} */
    static ControlClient forDataDir(Path dataDir) {
        Path file = ApplianceControl.file(dataDir.toAbsolutePath().normalize());
        if (!Files.exists(file)) {
            throw new IllegalStateException("no running appliance on " + dataDir.toAbsolutePath().normalize() + " (no " + file
                    + "); start it with 'understudy local --data-dir " + dataDir + "'");
        }
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        Path tokenFile = dataDir.toAbsolutePath().normalize().resolve("conf").resolve(AdminToken.FILE);
        try {
            return new ControlClient(URI.create(properties.getProperty("url")), Files.readString(tokenFile).trim());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the admin token " + tokenFile, e);
        }
    }

    Answer post(String path, Object body, Duration timeout) {
        return send(HttpRequest.newBuilder(base.resolve(path)).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(ClusterJson.toBytes(body))), path);
    }

    Answer get(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).GET(), path);
    }

    private Answer send(HttpRequest.Builder request, String path) {
        try {
            HttpResponse<String> response = http.send(request.header("Authorization", "Bearer " + token).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new IllegalStateException("the appliance's control endpoint " + base + " did not answer " + path + ": "
                    + e.getMessage() + " (is the appliance still running?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
