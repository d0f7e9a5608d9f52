package io.understudy.launcher.cli.drill;

import com.fasterxml.jackson.databind.JsonNode;
import io.understudy.launcher.cli.AdminClient;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The drill's timeline of steps: its own (fault, new primary seen, release, rejoin) stamped by its
 * monotonic clock, and the cluster's history entries from the same time stamped by the nodes' wall
 * clocks, both as milliseconds since the load started. Thread-safe.
 */
final class DrillEvents {

    /** History entries of these types mark a new primary in the report's chart. */
    static final List<String> PROMOTIONS = List.of("PROMOTION", "DRILL", "SWITCHOVER", "BOOTSTRAP");
    private static final int HISTORY_LIMIT = 200;

    private final List<DrillReport.Event> events = new ArrayList<>();
    private long startNanos;

    synchronized void start(long startNanos) {
        this.startNanos = startNanos;
    }

    synchronized void drill(long atNanos, String type, String nodeId, long epoch, String text) {
        events.add(new DrillReport.Event((atNanos - startNanos) / 1_000_000, "drill", type, nodeId, epoch, text));
    }

    /** Adds the cluster's history entries written since {@code startWallMs}; the cluster's history may be unreadable. */
    void cluster(AdminClient client, long startWallMs) {
        AdminClient.Answer answer = client.get("/_understudy/history?limit=" + HISTORY_LIMIT);
        if (!answer.ok()) {
            return;
        }
        List<DrillReport.Event> found = new ArrayList<>();
        for (JsonNode entry : answer.body().path("history")) {
            long at = entry.path("atMs").asLong();
            if (at >= startWallMs && !"DRILL_REPORT".equals(entry.path("type").asText())) {
                found.add(new DrillReport.Event(at - startWallMs, "cluster", entry.path("type").asText(),
                        entry.path("nodeId").asText(null), entry.path("epoch").asLong(), entry.path("reason").asText("")));
            }
        }
        synchronized (this) {
            events.addAll(found);
        }
    }

    synchronized List<DrillReport.Event> sorted() {
        List<DrillReport.Event> out = new ArrayList<>(events);
        out.sort(Comparator.comparingLong(DrillReport.Event::atMs));
        return out;
    }
}
