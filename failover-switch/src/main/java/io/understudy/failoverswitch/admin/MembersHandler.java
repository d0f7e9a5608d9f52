package io.understudy.failoverswitch.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.understudy.cluster.ClusterView;
import io.understudy.cluster.CommandRecord;
import io.understudy.cluster.HistoryRecord;
import io.understudy.cluster.MemberRecord;
import io.understudy.cluster.RosterEntry;
import io.understudy.failoverswitch.http.JsonResponses;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Methods;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's membership on the switch's admin API (docs/membership.md):
 * <pre>
 *   GET  /_understudy/members               the roster: every node, running or not, and removed ones (no token)
 *   POST /_understudy/members/{id}/remove   {"reason"?}: decommission a node (token)
 *   POST /_understudy/members/{id}/readmit  let a removed node join again (token)
 * </pre>
 * A removal is written as a {@code REMOVE_MEMBER} command that the primary carries out; the answer waits for it
 * (up to {@link #WAIT_MS}): 200 once done, 409 with the primary's reason when refused, 202 while still pending.
 * Requests that cannot succeed get their 4xx before anything is written.
 */
public final class MembersHandler implements HttpHandler {

    /** What the handler needs from the running switch. */
    public interface Cluster {
        /** From watched caches; never blocks. */
        ClusterView view();

        /** The newest history entries, newest first; never blocks. */
        List<HistoryRecord> recentHistory(int max);

        /** Writes the command; returns its znode path. Blocks on ZooKeeper. */
        String submit(CommandRecord command) throws Exception;

        /** Deletes {@code nodeId}'s removed roster entry; false when it was not removed. Blocks on ZooKeeper. */
        boolean readmit(String nodeId) throws Exception;

        /** Who this switch is, for the audit trail of commands. */
        String identity();
    }

    public static final String PATH = AdminHandler.PREFIX + "/members";
    static final long WAIT_MS = 15_000;
    private static final long POLL_MS = 50;
    private static final Pattern ACTION = Pattern.compile(Pattern.quote(PATH) + "/([^/]+)/(remove|readmit)");
    private static final Logger log = LoggerFactory.getLogger(MembersHandler.class);

    private final Cluster cluster;
    private final AdminAuth auth;

    public MembersHandler(Cluster cluster, String adminToken) {
        this.cluster = cluster;
        this.auth = new AdminAuth(adminToken);
    }

    public static boolean owns(String path) {
        return path.equals(PATH) || path.startsWith(PATH + "/");
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        String path = exchange.getRelativePath();
        Matcher action = ACTION.matcher(path);
        if (path.equals(PATH)) {
            if (exchange.getRequestMethod().equals(Methods.GET)) {
                JsonResponses.send(exchange, 200, Map.of("members", roster(cluster.view())));
            } else {
                JsonResponses.error(exchange, 405, "method_not_allowed", exchange.getRequestMethod() + " is not allowed on " + path);
            }
        } else if (action.matches()) {
            if (!exchange.getRequestMethod().equals(Methods.POST)) {
                JsonResponses.error(exchange, 405, "method_not_allowed", exchange.getRequestMethod() + " is not allowed on " + path);
            } else if (auth.admit(exchange)) {
                String nodeId = action.group(1);
                exchange.dispatch(ex -> {
                    if (action.group(2).equals("remove")) {
                        remove(ex, nodeId);
                    } else {
                        readmit(ex, nodeId);
                    }
                });
            }
        } else {
            JsonResponses.error(exchange, 404, "not_found", "no switch endpoint " + path + " (known: GET " + PATH + ", POST "
                    + PATH + "/{id}/remove, POST " + PATH + "/{id}/readmit)");
        }
    }

    /** Worker thread. */
    private void remove(HttpServerExchange exchange, String nodeId) {
        JsonNode body;
        try {
            body = AdminHttp.readBody(exchange);
        } catch (IOException e) {
            JsonResponses.error(exchange, 400, "bad_request", "the body is not JSON: " + e.getMessage());
            return;
        }
        if (body != null && !body.isObject()) {
            JsonResponses.error(exchange, 400, "bad_request", "the body must be a JSON object");
            return;
        }
        String reason = body != null && body.path("reason").isTextual() ? body.path("reason").asText() : null;
        String by = cluster.identity() + " for " + exchange.getSourceAddress().getAddress().getHostAddress();
        MemberRequests.Check check = MemberRequests.remove(nodeId, reason, cluster.view(), UUID.randomUUID().toString(), by,
                System.currentTimeMillis());
        if (check instanceof MemberRequests.Rejected rejected) {
            JsonResponses.error(exchange, rejected.status(), rejected.error(), rejected.message());
            return;
        }
        if (check instanceof MemberRequests.AlreadyRemoved already) {
            JsonResponses.send(exchange, 200, answer(nodeId, true, already.message(), null));
            return;
        }
        CommandRecord command = ((MemberRequests.Write) check).command();
        try {
            String znode = cluster.submit(command);
            log.info("operator command {} {} for {} written to {} ({})", command.type(), command.id(), nodeId, znode, by);
        } catch (Exception e) {
            log.warn("cannot write operator command {}: {}", command, e.toString());
            JsonResponses.error(exchange, 503, "zookeeper_unavailable", "the command was not written: " + e.getMessage());
            return;
        }
        long deadline = System.nanoTime() + WAIT_MS * 1_000_000;
        MemberRequests.Outcome outcome = new MemberRequests.Pending();
        while (outcome instanceof MemberRequests.Pending && System.nanoTime() < deadline) {
            try {
                Thread.sleep(POLL_MS); // the view is a watched in-memory cache: looking again costs nothing
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            outcome = MemberRequests.outcome(command, cluster.view(), cluster.recentHistory(50));
        }
        if (outcome instanceof MemberRequests.Done done) {
            JsonResponses.send(exchange, 200, answer(nodeId, true, done.outcome(), command));
        } else if (outcome instanceof MemberRequests.Pending && cluster.view().removed(nodeId)) {
            JsonResponses.send(exchange, 200, answer(nodeId, true, nodeId + " removed (the primary's report is not in the"
                    + " history yet)", command));
        } else if (outcome instanceof MemberRequests.Refused refused) {
            JsonResponses.error(exchange, 409, "refused", refused.outcome());
        } else {
            Map<String, Object> pending = answer(nodeId, false, "the command is written but the primary has not carried it out"
                    + " within " + WAIT_MS / 1000 + " s; it will once it can (see history)", command);
            pending.put("pending", true);
            JsonResponses.send(exchange, 202, pending);
        }
    }

    /** Worker thread. */
    private void readmit(HttpServerExchange exchange, String nodeId) {
        try {
            io.understudy.cluster.zk.ZkPaths.requireName("node id", nodeId);
        } catch (IllegalArgumentException e) {
            JsonResponses.error(exchange, 400, "bad_request", e.getMessage());
            return;
        }
        try {
            boolean readmitted = cluster.readmit(nodeId);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("nodeId", nodeId);
            body.put("readmitted", readmitted);
            body.put("message", readmitted ? nodeId + " may join again; started, it takes a fresh copy from the primary"
                    : nodeId + " was not removed; a node with this id joins by starting");
            log.info("readmit {}: {}", nodeId, body.get("message"));
            JsonResponses.send(exchange, 200, body);
        } catch (Exception e) {
            JsonResponses.error(exchange, 503, "zookeeper_unavailable", "cannot readmit " + nodeId + ": " + e.getMessage());
        }
    }

    private static Map<String, Object> answer(String nodeId, boolean removed, String message, CommandRecord command) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("nodeId", nodeId);
        body.put("removed", removed);
        body.put("message", message);
        if (command != null) {
            body.put("command", command);
        }
        return body;
    }

    /** Every node in the roster or registered, with its state and, while it runs, its role. */
    static List<Map<String, Object>> roster(ClusterView view) {
        java.util.TreeSet<String> ids = new java.util.TreeSet<>(view.nodes());
        view.roster().forEach(e -> ids.add(e.nodeId()));
        return ids.stream().map(id -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("nodeId", id);
            RosterEntry entry = view.roster().stream().filter(e -> e.nodeId().equals(id)).findFirst().orElse(null);
            m.put("state", entry == null ? RosterEntry.State.MEMBER.name() : entry.state().name());
            m.put("running", view.member(id).isPresent());
            m.put("role", view.member(id).map(MemberRecord::role).map(Enum::name).orElse(null));
            m.put("syncStandby", view.syncStandbysOfPrimary().contains(id));
            m.put("reason", entry == null ? "" : entry.reason());
            return m;
        }).toList();
    }
}
