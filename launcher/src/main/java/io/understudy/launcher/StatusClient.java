package io.understudy.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads the switch's status over HTTP. Thread-safe. */
public final class StatusClient {

    private static final Logger LOG = LoggerFactory.getLogger(StatusClient.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final URI statusUri;

    public StatusClient(String switchUrl) {
        this.statusUri = URI.create(switchUrl + "/_understudy/status");
    }

    /** The current status, or empty while the switch is not answering (starting, stopped, or erroring). */
    public Optional<SwitchStatus> fetch() {
        try {
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(statusUri).timeout(TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                LOG.debug("{} answered {}", statusUri, response.statusCode());
                return Optional.empty();
            }
            return Optional.of(SwitchStatus.parse(response.body()));
        } catch (IOException | IllegalArgumentException e) {
            LOG.debug("{} not readable: {}", statusUri, e.getMessage());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
