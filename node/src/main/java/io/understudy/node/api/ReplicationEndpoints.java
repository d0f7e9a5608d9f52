package io.understudy.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.io.IOException;

/**
 * {@code GET /metrics} (Prometheus text) and {@code POST /replication/applied}, where a secondary reports how far it
 * has processed this primary's stream: {@code {"nodeId": "b", "sourceId": "a@3", "position": 123}}.
 */
final class ReplicationEndpoints {

    static final String APPLIED = "/replication/applied";
    private static final int MAX_REPORT_BYTES = 4096;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SyncHooks sync;

    ReplicationEndpoints(SyncHooks sync) {
        this.sync = sync;
    }

    void metrics(HttpServerExchange exchange) {
        if (!Methods.GET.equals(exchange.getRequestMethod()) && !Methods.HEAD.equals(exchange.getRequestMethod())) {
            Responses.error(exchange, 405, "method_not_allowed", "/metrics answers GET only");
            return;
        }
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        exchange.getResponseSender().send(sync.metrics());
    }

    /** Runs on the I/O thread and never blocks: the body is received asynchronously. */
    void applied(HttpServerExchange exchange) {
        if (!Methods.POST.equals(exchange.getRequestMethod())) {
            Responses.error(exchange, 405, "method_not_allowed", APPLIED + " answers POST only");
            return;
        }
        if (exchange.getRequestContentLength() > MAX_REPORT_BYTES) {
            Responses.error(exchange, 413, "too_large", "an applied-position report is at most " + MAX_REPORT_BYTES + " bytes");
            return;
        }
        exchange.setMaxEntitySize(MAX_REPORT_BYTES);
        exchange.getRequestReceiver().receiveFullBytes(this::report,
                (ex, e) -> Responses.error(ex, 400, "bad_request", "the report could not be read"));
    }

    private void report(HttpServerExchange exchange, byte[] body) {
        JsonNode report;
        try {
            report = JSON.readTree(body);
        } catch (IOException e) {
            Responses.error(exchange, 400, "bad_json", "the report is not JSON");
            return;
        }
        if (report == null || !report.path("nodeId").isTextual() || !report.path("sourceId").isTextual()
                || !report.path("position").canConvertToLong() || report.path("position").asLong() < 0) {
            Responses.error(exchange, 400, "bad_report", "expected {\"nodeId\": text, \"sourceId\": text, \"position\": number >= 0}");
            return;
        }
        sync.applied(report.get("nodeId").asText(), report.get("sourceId").asText(), report.get("position").asLong());
        exchange.setStatusCode(204);
        exchange.endExchange();
    }
}
