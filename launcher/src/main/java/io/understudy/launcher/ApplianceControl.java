package io.understudy.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.understudy.cluster.ClusterJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running appliance's control endpoint, for {@code understudy local add-node} and {@code remove-node} in another
 * terminal: HTTP on a loopback port the system picks, recorded in {@code <data>/run/control.properties}, every request
 * with the appliance's admin token. JSON in and out; errors are {@code {"error", "message"}}.
 * <pre>
 *   GET  /nodes              the nodes, their processes and restarts
 *   POST /nodes              {"id"?}: add a node (the first free id without one); answers once it streams
 *   POST /nodes/{id}/remove  stop the node, decommission it through the switch
 * </pre>
 */
final class ApplianceControl implements AutoCloseable {

    static final String FILE = "control.properties";
    private static final Logger LOG = LoggerFactory.getLogger(ApplianceControl.class);
    private static final Pattern REMOVE = Pattern.compile("/nodes/([a-z])/remove");
    private static final Duration ADD_TIMEOUT = Duration.ofMinutes(5);
    private static final int MAX_BODY = 4096;

    private final LocalAppliance appliance;
    private final byte[] token;
    private final HttpServer server;
    private final Path file;

    private ApplianceControl(LocalAppliance appliance, String token, HttpServer server, Path file) {
        this.appliance = appliance;
        this.token = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        this.server = server;
        this.file = file;
    }

    /** Listens on a free loopback port and records it under the run dir. */
    static ApplianceControl start(LocalAppliance appliance) {
        ApplianceConfig config = appliance.config();
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(ApplianceConfig.HOST), 0), 0);
            server.setExecutor(Executors.newSingleThreadExecutor(r -> {
                Thread thread = new Thread(r, "appliance-control");
                thread.setDaemon(true);
                return thread;
            }));
            ApplianceControl control = new ApplianceControl(appliance, AdminToken.loadOrCreate(config), server,
                    file(config.dataDir()));
            server.createContext("/", control::handle);
            server.start();
            String url = "http://" + ApplianceConfig.HOST + ":" + server.getAddress().getPort();
            ChildConfigs.write(control.file, "control endpoint of the running appliance (understudy local add-node, remove-node)",
                    Map.of("url", url));
            LOG.info("control endpoint on {} (understudy local add-node / remove-node)", url);
            return control;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the appliance's control endpoint", e);
        }
    }

    static Path file(Path dataDir) {
        return dataDir.resolve("run").resolve(FILE);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            if (auth == null || !MessageDigest.isEqual(auth.getBytes(StandardCharsets.UTF_8), token)) {
                HttpJson.send(exchange, 401, error("unauthorized", "send the appliance's admin token as 'Authorization: Bearer ...'"));
                return;
            }
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            Matcher remove = REMOVE.matcher(path);
            try {
                if (path.equals("/nodes") && method.equals("GET")) {
                    HttpJson.send(exchange, 200, Map.of("nodes", nodes()));
                } else if (path.equals("/nodes") && method.equals("POST")) {
                    JsonNode body = readBody(exchange);
                    String id = body.hasNonNull("id") ? body.get("id").asText() : null;
                    HttpJson.send(exchange, 200, appliance.addNode(id, ADD_TIMEOUT));
                } else if (remove.matches() && method.equals("POST")) {
                    SwitchAdminClient.Answer answer = appliance.removeNode(remove.group(1));
                    HttpJson.send(exchange, 200, answer.body());
                } else {
                    HttpJson.send(exchange, 404, error("not_found", method + " " + path + " (known: GET /nodes, POST /nodes,"
                            + " POST /nodes/{id}/remove)"));
                }
            } catch (IllegalArgumentException e) {
                HttpJson.send(exchange, 400, error("bad_request", e.getMessage()));
            } catch (IllegalStateException e) {
                HttpJson.send(exchange, 409, error("refused", e.getMessage()));
            } catch (RuntimeException e) {
                LOG.warn("control request {} {} failed", method, path, e);
                HttpJson.send(exchange, 500, error("internal_error", e.toString()));
            }
        }
    }

    private List<Map<String, Object>> nodes() {
        ApplianceConfig config = appliance.config();
        return config.nodeIds().stream().map(id -> {
            Map<String, Object> node = new LinkedHashMap<>();
            node.put("nodeId", id);
            node.put("apiUrl", config.nodeApiUrl(id));
            node.put("pgPort", config.pgPort(id));
            appliance.supervisor().process(LocalAppliance.nodeName(id)).ifPresent(p -> {
                node.put("pid", p.pid());
                node.put("alive", p.isAlive());
            });
            node.put("restarts", appliance.restarts(id));
            return node;
        }).toList();
    }

    private static JsonNode readBody(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                throw new IllegalArgumentException("the body is larger than " + MAX_BODY + " bytes");
            }
            if (bytes.length == 0) {
                return ClusterJson.MAPPER.createObjectNode();
            }
            try {
                JsonNode body = ClusterJson.MAPPER.readTree(bytes);
                if (!body.isObject()) {
                    throw new IllegalArgumentException("the body must be a JSON object");
                }
                return body;
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalArgumentException("the body is not JSON: " + e.getOriginalMessage());
            }
        }
    }

    private static Map<String, String> error(String code, String message) {
        return Map.of("error", code, "message", message == null ? code : message);
    }

    @Override
    public void close() {
        server.stop(0);
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.debug("cannot delete {}: {}", file, e.toString());
        }
    }
}
