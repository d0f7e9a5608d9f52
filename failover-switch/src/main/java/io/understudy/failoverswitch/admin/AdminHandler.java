package io.understudy.failoverswitch.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.understudy.cluster.ClusterSettings;
import io.understudy.cluster.ClusterView;
import io.understudy.cluster.CommandRecord;
import io.understudy.cluster.CommandRecord.Type;
import io.understudy.cluster.HistoryRecord;
import io.understudy.cluster.zk.SettingsZnode;
import io.understudy.failoverswitch.http.JsonResponses;
import io.understudy.failoverswitch.routing.ZkLink;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
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
 *   history, config, drills: see {@link OperatorEndpoints}
 * </pre>
 * Actions are written as {@link CommandRecord}s under {@code /commands} and carried out by the
 * nodes; the switch keeps no state of its own, so any number of switches can serve one cluster.
 * Status, health and metrics answer on the IO thread from memory; actions write ZooKeeper on a worker.
 */
public final class AdminHandler implements HttpHandler {

    public static final String PREFIX = "/_understudy";
    private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);
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

        /** The newest {@code max} history entries, newest first, from a watched cache; never blocks. */
        List<HistoryRecord> history(int max);

        /** Appends a history entry; returns its znode path. Blocks on ZooKeeper. */
        String appendHistory(HistoryRecord record) throws Exception;

        /** Read-modify-write of {@code /config}; see {@code SettingsZnode}. Blocks on ZooKeeper. */
        SettingsZnode.Update updateSettings(UnaryOperator<ClusterSettings> change) throws Exception;
    }

    private final Switch target;
    private final AdminAuth auth;
    private final StatusPage page = new StatusPage();
    private final HttpHandler members;
    private final OperatorEndpoints operator;

    public AdminHandler(Switch target, String adminToken) {
        this(target, adminToken, null);
    }

    /** @param members serves {@code /_understudy/members...} ({@link MembersHandler}), or null for none */
    public AdminHandler(Switch target, String adminToken, HttpHandler members) {
        this.target = target;
        this.auth = new AdminAuth(adminToken);
        this.members = members;
        this.operator = new OperatorEndpoints(target, auth);
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
        // every answer below is of this moment: status, metrics, the roster, history, an action's outcome, an error
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        if (members != null && MembersHandler.owns(path)) {
            members.handleRequest(exchange);
            return;
        }
        if (operator.handle(exchange, path)) {
            return;
        }
        switch (path) {
            case PREFIX + "/health" -> AdminHttp.ifMethod(exchange, Methods.GET, () -> health(exchange));
            case PREFIX + "/metrics" -> AdminHttp.ifMethod(exchange, Methods.GET, () -> metrics(exchange));
            case PREFIX + "/status" -> AdminHttp.ifMethod(exchange, Methods.GET,
                    () -> JsonResponses.send(exchange, 200, target.status(HISTORY_ENTRIES)));
            case PREFIX + "/switchover" -> action(exchange, Type.SWITCHOVER);
            case PREFIX + "/failover" -> action(exchange, Type.FAILOVER);
            case PREFIX + "/pause" -> action(exchange, Type.PAUSE);
            case PREFIX + "/resume" -> action(exchange, Type.RESUME);
            default -> JsonResponses.error(exchange, 404, "not_found", "no switch endpoint " + path + " (known: "
                    + PREFIX + "/{,status,health,metrics,switchover,failover,pause,resume,history,config,drills,members})");
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
            AdminHttp.notAllowed(exchange, Methods.POST);
            return;
        }
        AdminHttp.write(exchange, auth, target::identity, (ex, body, by) -> submit(ex, type, body, by));
    }

    /** Worker thread. */
    private void submit(HttpServerExchange exchange, Type type, JsonNode body, String by) {
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
            JsonResponses.send(exchange, 202, accepted(znode, command));
        } catch (Exception e) {
            log.warn("cannot write operator command {}: {}", command, e.toString());
            JsonResponses.error(exchange, 503, "zookeeper_unavailable", "the command was not written: " + e.getMessage());
        }
    }

    /** The 202 answer's body: the command as written, and where. */
    static Map<String, Object> accepted(String znode, CommandRecord command) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("accepted", true);
        answer.put("znode", znode);
        answer.put("command", command);
        return answer;
    }
}
