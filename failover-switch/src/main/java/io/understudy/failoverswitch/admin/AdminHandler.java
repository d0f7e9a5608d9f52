package io.understudy.failoverswitch.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.understudy.cluster.ClusterJson;
import io.understudy.cluster.ClusterView;
import io.understudy.cluster.CommandRecord;
import io.understudy.cluster.CommandRecord.Type;
import io.understudy.failoverswitch.http.JsonResponses;
import io.understudy.failoverswitch.routing.ZkLink;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The switch's own endpoints under {@code /_understudy/}:
 * <pre>
 *   GET  (the page) the operator's status page, {@link StatusPage} (no token; its actions send one)
 *   GET  status      cluster, route and recent history (no token)
 *   GET  health      200 while connected to ZooKeeper, else 503: for a load balancer (no token)
 *   GET  metrics     Prometheus text (no token: read-only, like status)
 *   POST switchover  {"to": nodeId, "reason", "expectedEpoch"}  (token)
 *   POST failover    forced failover for drills, {"to"?, "reason", "expectedEpoch"}  (token)
 *   POST pause       pause automatic failover (token)
 *   POST resume      resume automatic failover (token)
 * </pre>
 * Actions are written as {@link CommandRecord}s under {@code /commands} and carried out by the
 * nodes; the switch keeps no state of its own, so any number of switches can serve one cluster.
 * Status, health and metrics answer on the IO thread from memory; actions write ZooKeeper on a worker.
 */
public final class AdminHandler implements HttpHandler {

    public static final String PREFIX = "/_understudy";
    private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);
    private static final int MAX_BODY = 8 * 1024;
    private static final int HISTORY_ENTRIES = 20;

    /** What the admin API needs from the running switch. */
    public interface Switch {
        /** From watched caches; never blocks. */
        StatusReport status(int historyEntries);

        ZkLink link();

        ClusterView view();

        /** Writes the command; returns its znode path. Blocks on ZooKeeper. */
        String submit(CommandRecord command) throws Exception;

        String metrics();

        /** Who this switch is, for the audit trail of commands. */
        String identity();
    }

    private final Switch target;
    private final AdminAuth auth;
    private final StatusPage page = new StatusPage();

    public AdminHandler(Switch target, String adminToken) {
        this.target = target;
        this.auth = new AdminAuth(adminToken);
    }

    /** True for every path this handler owns, so none of them is ever forwarded to a node. */
    public static boolean owns(String path) {
        return path.startsWith(PREFIX) && (path.length() == PREFIX.length() || path.charAt(PREFIX.length()) == '/');
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        String path = exchange.getRelativePath();
        if (StatusPage.owns(path)) {
            page.handleRequest(exchange);
            return;
        }
        // every answer below is of this moment: status, metrics, an action's outcome, an error
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        switch (path) {
            case PREFIX + "/health" -> ifMethod(exchange, Methods.GET, () -> health(exchange));
            case PREFIX + "/metrics" -> ifMethod(exchange, Methods.GET, () -> metrics(exchange));
            case PREFIX + "/status" -> ifMethod(exchange, Methods.GET,
                    () -> JsonResponses.send(exchange, 200, target.status(HISTORY_ENTRIES)));
            case PREFIX + "/switchover" -> action(exchange, Type.SWITCHOVER);
            case PREFIX + "/failover" -> action(exchange, Type.FAILOVER);
            case PREFIX + "/pause" -> action(exchange, Type.PAUSE);
            case PREFIX + "/resume" -> action(exchange, Type.RESUME);
            default -> JsonResponses.error(exchange, 404, "not_found", "no switch endpoint " + path + " (known: "
                    + PREFIX + "/{,status,health,metrics,switchover,failover,pause,resume})");
        }
    }

    private void health(HttpServerExchange exchange) {
        ZkLink now = target.link();
        if (now == ZkLink.CONNECTED) {
            JsonResponses.send(exchange, 200, Map.of("status", "UP"));
        } else {
            JsonResponses.send(exchange, 503, Map.of("status", "DOWN", "zookeeper", now.name()));
        }
    }

    private void metrics(HttpServerExchange exchange) {
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        exchange.getResponseSender().send(target.metrics());
    }

    private void action(HttpServerExchange exchange, Type type) {
        if (!exchange.getRequestMethod().equals(Methods.POST)) {
            notAllowed(exchange, Methods.POST);
            return;
        }
        if (!auth.admit(exchange)) {
            return;
        }
        exchange.dispatch(ex -> submit(ex, type));
    }

    /** Worker thread. */
    private void submit(HttpServerExchange exchange, Type type) {
        JsonNode body;
        try {
            body = readBody(exchange);
        } catch (IOException e) {
            JsonResponses.error(exchange, 400, "bad_request", "the body is not JSON: " + e.getMessage());
            return;
        }
        String by = target.identity() + " for " + exchange.getSourceAddress().getAddress().getHostAddress();
        CommandRequests.Result result = CommandRequests.build(type, body, target.view(), UUID.randomUUID().toString(),
                by, System.currentTimeMillis());
        if (result instanceof CommandRequests.Rejected rejected) {
            JsonResponses.error(exchange, rejected.status(), rejected.error(), rejected.message());
            return;
        }
        CommandRecord command = ((CommandRequests.Accepted) result).command();
        try {
            String znode = target.submit(command);
            log.info("operator command {} {} written to {} ({})", command.type(), command.id(), znode, by);
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("accepted", true);
            answer.put("znode", znode);
            answer.put("command", command);
            JsonResponses.send(exchange, 202, answer);
        } catch (Exception e) {
            log.warn("cannot write operator command {}: {}", command, e.toString());
            JsonResponses.error(exchange, 503, "zookeeper_unavailable", "the command was not written: " + e.getMessage());
        }
    }

    private static JsonNode readBody(HttpServerExchange exchange) throws IOException {
        exchange.startBlocking();
        try (InputStream in = exchange.getInputStream()) {
            byte[] bytes = in.readNBytes(MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                throw new IOException("larger than " + MAX_BODY + " bytes");
            }
            return bytes.length == 0 ? null : ClusterJson.MAPPER.readTree(bytes);
        }
    }

    private static void ifMethod(HttpServerExchange exchange, HttpString method, Runnable answer) {
        boolean head = method.equals(Methods.GET) && exchange.getRequestMethod().equals(Methods.HEAD);
        if (exchange.getRequestMethod().equals(method) || head) {
            answer.run();
        } else {
            notAllowed(exchange, method);
        }
    }

    private static void notAllowed(HttpServerExchange exchange, HttpString allowed) {
        exchange.getResponseHeaders().put(Headers.ALLOW, allowed.equals(Methods.GET) ? "GET, HEAD" : allowed.toString());
        JsonResponses.error(exchange, 405, "method_not_allowed",
                exchange.getRequestMethod() + " is not allowed on " + exchange.getRelativePath());
    }
}
