package io.understudy.failoverswitch.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.understudy.cluster.ClusterSettings;
import io.understudy.cluster.ConfigEdit;
import io.understudy.cluster.HistoryRecord;
import io.understudy.cluster.zk.SettingsZnode;
import io.understudy.failoverswitch.http.JsonResponses;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Methods;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator endpoints next to the commands, under {@code /_understudy/}:
 * <pre>
 *   GET  history?limit=N  the newest N history entries, newest first (no token; default 100)
 *   GET  config           the cluster-wide settings and which of them config set may change (no token)
 *   PUT  config           {"set": {KEY: VALUE, ...}, "reason"}: validated as a whole, written with a
 *                         versioned set, recorded as a CONFIG history entry (token)
 *   GET  drills?limit=N   the newest N DRILL_REPORT entries, newest first (no token; default 20)
 *   POST drills           a finished drill's figures (see {@link DrillRequests}), recorded as a
 *                         DRILL_REPORT history entry (token)
 * </pre>
 * Reads answer from the switch's watched caches; writes go to ZooKeeper on a worker thread.
 */
final class OperatorEndpoints {

    private static final Logger log = LoggerFactory.getLogger(OperatorEndpoints.class);
    private static final int MAX_LIMIT = 1000;

    private final AdminHandler.Switch target;
    private final AdminAuth auth;

    OperatorEndpoints(AdminHandler.Switch target, AdminAuth auth) {
        this.target = target;
        this.auth = auth;
    }

    /** Answers the request when {@code path} is one of these endpoints; false otherwise (nothing sent). */
    boolean handle(HttpServerExchange exchange, String path) {
        switch (path) {
            case AdminHandler.PREFIX + "/history" -> AdminHttp.ifMethod(exchange, Methods.GET, () -> history(exchange, false));
            case AdminHandler.PREFIX + "/drills" -> {
                if (exchange.getRequestMethod().equals(Methods.POST)) {
                    AdminHttp.write(exchange, auth, target::identity, this::recordDrill);
                } else {
                    AdminHttp.ifMethod(exchange, Methods.GET, () -> history(exchange, true));
                }
            }
            case AdminHandler.PREFIX + "/config" -> {
                if (exchange.getRequestMethod().equals(Methods.PUT)) {
                    AdminHttp.write(exchange, auth, target::identity, this::setConfig);
                } else {
                    AdminHttp.ifMethod(exchange, Methods.GET, () -> JsonResponses.send(exchange, 200,
                            config(target.view().settings())));
                }
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    private void history(HttpServerExchange exchange, boolean drillsOnly) {
        int limit;
        try {
            limit = AdminHttp.queryInt(exchange, "limit", drillsOnly ? 20 : 100, MAX_LIMIT);
        } catch (IllegalArgumentException e) {
            JsonResponses.error(exchange, 400, "bad_request", e.getMessage());
            return;
        }
        List<HistoryRecord> entries = drillsOnly
                ? target.history(Integer.MAX_VALUE).stream().filter(r -> r.type() == HistoryRecord.Type.DRILL_REPORT)
                        .limit(limit).toList()
                : target.history(limit);
        JsonResponses.send(exchange, 200, Map.of(drillsOnly ? "drills" : "history", entries));
    }

    private void recordDrill(HttpServerExchange exchange, JsonNode body, String by) throws Exception {
        DrillRequests.Result result = DrillRequests.build(body, target.view().epoch(), System.currentTimeMillis());
        if (result instanceof DrillRequests.Rejected rejected) {
            JsonResponses.error(exchange, 400, "bad_request", rejected.message());
            return;
        }
        HistoryRecord record = ((DrillRequests.Accepted) result).record();
        String znode = target.appendHistory(record);
        log.info("drill recorded in {} ({}): {}", znode, by, record.reason());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("recorded", true);
        answer.put("znode", znode);
        answer.put("record", record);
        JsonResponses.send(exchange, 201, answer);
    }

    /** Thrown inside the read-modify-write so that a refused edit writes nothing. */
    private static final class RefusedEdit extends RuntimeException {
        final ConfigEdit.Refused refused;

        RefusedEdit(ConfigEdit.Refused refused) {
            super(refused.message(), null, false, false);
            this.refused = refused;
        }
    }

    private void setConfig(HttpServerExchange exchange, JsonNode body, String by) throws Exception {
        JsonNode set = body == null ? null : body.get("set");
        if (set == null || !set.isObject() || set.isEmpty()) {
            JsonResponses.error(exchange, 400, "bad_request", "the body must be {\"set\": {\"KEY\": VALUE, ...}, \"reason\": ...}");
            return;
        }
        Map<String, String> assignments = new LinkedHashMap<>();
        set.properties().forEach(e -> assignments.put(e.getKey(), e.getValue().isValueNode() ? e.getValue().asText()
                : e.getValue().toString()));
        AtomicReference<List<ConfigEdit.Change>> changes = new AtomicReference<>(List.of());
        SettingsZnode.Update update;
        try {
            update = target.updateSettings(current -> {
                ConfigEdit.Result result = ConfigEdit.apply(current, assignments);
                if (result instanceof ConfigEdit.Refused refused) {
                    throw new RefusedEdit(refused);
                }
                ConfigEdit.Applied applied = (ConfigEdit.Applied) result;
                changes.set(applied.changes());
                return applied.next();
            });
        } catch (RefusedEdit e) {
            JsonResponses.error(exchange, 400, "bad_setting", e.refused.message());
            return;
        }
        String reason = body.path("reason").asText("");
        if (!changes.get().isEmpty()) {
            String text = String.join(", ", changes.get().stream().map(ConfigEdit.Change::toString).toList()) + " by " + by
                    + (reason.isBlank() ? "" : " (" + reason + ")");
            target.appendHistory(new HistoryRecord(HistoryRecord.Type.CONFIG, null, null, target.view().epoch(),
                    System.currentTimeMillis(), text));
            log.info("cluster settings changed: {}", text);
        }
        Map<String, Object> answer = config(update.after());
        answer.put("changes", changes.get());
        JsonResponses.send(exchange, 200, answer);
    }

    private static Map<String, Object> config(ClusterSettings settings) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("settings", ConfigEdit.show(settings));
        answer.put("settable", ClusterSettings.SETTABLE);
        return answer;
    }
}
