package io.understudy.chaos;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.understudy.launcher.ApplianceConfig;
import io.understudy.launcher.LocalAppliance;
import io.understudy.launcher.LocalProcesses;
import io.understudy.workload.NodeObjects;
import io.understudy.workload.Stored;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The appliance under test plus what faults and checks need from outside it: the status as the
 * switch reports it, objects as each node holds them, and OS signals to node processes.
 * Thread-safe for reads; faults are injected from one thread.
 */
public final class ChaosCluster {

    private static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final LocalAppliance appliance;
    private final NodeObjects objects = new NodeObjects();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    public ChaosCluster(LocalAppliance appliance) {
        this.appliance = appliance;
    }

    public LocalAppliance appliance() {
        return appliance;
    }

    public List<String> nodeIds() {
        return appliance.config().nodeIds();
    }

    /** The switch's status now; empty while the switch does not answer. */
    public Optional<ClusterState> state() {
        try {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(appliance.switchUrl() + "/_understudy/status"))
                    .timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            return r.statusCode() == 200 ? Optional.of(JSON.readValue(r.body(), ClusterState.class)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The live primary now. @throws IllegalStateException when there is none */
    public String primary() {
        return state().flatMap(ClusterState::livePrimary)
                .orElseThrow(() -> new IllegalStateException("no live primary: " + state().map(ClusterState::summary).orElse("switch down")));
    }

    /** Sends a signal ({@code STOP}, {@code CONT}) to node {@code nodeId}'s process with {@code kill}. */
    public void signal(String nodeId, String signal) {
        LocalProcesses.signal(appliance.nodeProcess(nodeId).toHandle(), signal);
    }

    /**
     * Every object whose id starts with {@code prefix} on node {@code nodeId}, read from the node
     * itself, with ids after {@code startAfter} (null: all).
     */
    public Map<String, Stored> objects(String nodeId, String prefix, String startAfter) throws IOException, InterruptedException {
        return objects.list(appliance.nodeApiUrl(nodeId), prefix, startAfter);
    }

    /** The body of object {@code id} on node {@code nodeId}, or empty when it answers anything but 200. */
    public Optional<String> body(String nodeId, String id) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(appliance.nodeApiUrl(nodeId) + "/api/objects/"
                + id)).timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return r.statusCode() == 200 ? Optional.of(r.body()) : Optional.empty();
    }

    /**
     * Polls {@code condition} every 200 ms until it holds.
     *
     * @return false when {@code timeout} passed first
     */
    public static boolean await(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
