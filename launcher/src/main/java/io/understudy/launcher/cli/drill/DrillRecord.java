package io.understudy.launcher.cli.drill;

import io.understudy.launcher.cli.AdminClient;
import io.understudy.launcher.cli.CliFailure;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The drill's exchanges with the switch around the report: the cluster settings it records, and
 * its headline figures appended to the cluster's history ({@code POST /_understudy/drills}).
 */
final class DrillRecord {

    private DrillRecord() {
    }

    /** The cluster-wide settings, or an empty map when the switch does not show them. */
    static Map<String, Object> clusterSettings(AdminClient client) {
        AdminClient.Answer answer = client.get("/_understudy/config");
        Map<String, Object> out = new LinkedHashMap<>();
        if (answer.ok()) {
            answer.body().path("settings").properties().forEach(e -> out.put(e.getKey(), e.getValue().isNull() ? null
                    : e.getValue().isNumber() ? e.getValue().numberValue() : e.getValue().asText()));
        }
        return out;
    }

    /** Records the figures in the cluster's history; says so when it cannot, without failing the drill. */
    static void record(AdminClient client, DrillReport r, PrintWriter out) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("kind", r.kind());
        body.put("nodeId", r.fault().victim());
        body.put("passed", r.verdict().passed());
        body.put("verdict", r.verdict().text());
        body.put("rtoMs", r.figures().rtoMs());
        body.put("lostWrites", r.lostWrites());
        body.put("acknowledgedWrites", r.figures().acknowledgedWrites());
        body.put("failedRequests", r.figures().failedRequests());
        body.put("retriedWrites", r.figures().retriedWrites());
        body.put("duplicates", r.duplicates());
        body.put("durationMs", r.plan().durationMs());
        body.put("report", r.name());
        try {
            AdminClient.expectOk(client.act("POST", "/_understudy/drills", body), "recording the drill");
            out.println("recorded in the cluster's history");
        } catch (CliFailure e) {
            out.println("NOT recorded in the cluster's history: " + e.getMessage());
        }
    }

    static String summary(DrillReport r) {
        return (r.verdict().passed() ? "PASSED" : "FAILED: " + r.verdict().text()) + " | RTO " + r.figures().rtoMs() + " ms | lost "
                + (r.lostWrites() < 0 ? "not checked" : r.lostWrites() + " of " + r.figures().acknowledgedWrites()
                + " acknowledged") + " | failed requests " + r.figures().failedRequests() + " | retried writes "
                + r.figures().retriedWrites() + " | applied twice " + r.duplicates();
    }
}
