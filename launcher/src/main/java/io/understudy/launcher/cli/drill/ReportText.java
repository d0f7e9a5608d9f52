package io.understudy.launcher.cli.drill;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report's sections as rows of plain text, shared by the Markdown and the HTML rendering so
 * both say the same thing. Pure.
 */
final class ReportText {

    /** A titled table. */
    record Section(String title, List<String> headers, List<List<String>> rows) {
    }

    private ReportText() {
    }

    static String title(DrillReport r) {
        return "DR drill " + r.name() + ": " + (r.verdict().passed() ? "PASSED" : "FAILED");
    }

    static String subtitle(DrillReport r) {
        return r.kind() + " of primary " + r.fault().victim() + " (epoch " + r.fault().epochBefore() + ") · " + r.target() + " · "
                + r.startedAt() + " · " + r.plan().durationMs() / 1000 + " s of load at " + fmt(r.plan().ratePerSecond())
                + " writes/s, each followed by a read, through " + r.loadUrl();
    }

    static List<List<String>> headline(DrillReport r) {
        Figures f = r.figures();
        DrillReport.Fault fault = r.fault();
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("RTO: longest time without an acknowledged write", f.rtoMs() + " ms (from t=" + sec(f.rtoFromMs())
                + " s to t=" + sec(f.rtoToMs()) + " s; fault at t=" + sec(fault.atMs()) + " s)"));
        rows.add(List.of("RPO: acknowledged writes missing", r.lostWrites() < 0 ? "not checked: no node could be read"
                : r.lostWrites() + " of " + f.acknowledgedWrites() + " (on the checked node that lacks the most)"));
        rows.add(List.of("Failed requests", f.failedRequests() + " (" + f.failedWriteAttempts() + " of " + f.writeAttempts()
                + " write requests, " + (f.reads() - f.okReads()) + " of " + f.reads() + " reads)"));
        rows.add(List.of("Writes never acknowledged", f.unacknowledgedWrites() + " of " + f.writes()));
        rows.add(List.of("Retried writes (same key and body)", f.retriedWrites() + ", " + f.replayedWrites()
                + " answered from the idempotency store"));
        rows.add(List.of("Writes applied twice", Long.toString(r.duplicates())));
        rows.add(List.of("Held requests (slower than " + r.plan().slowMs() + " ms)", f.heldRequests() + ", slowest "
                + f.maxLatencyMs() + " ms"));
        rows.add(List.of("Reads of acknowledged writes", f.okReads() + " ok, " + f.missingReads() + " missing (404), "
                + f.wrongBodyReads() + " with another body, " + f.failedReads() + " failed"));
        rows.add(List.of("New primary", fault.newPrimary() == null ? "none" : fault.newPrimary() + " (epoch " + fault.newEpoch()
                + "), live at t=" + sec(fault.newPrimarySeenAtMs()) + " s, writes acknowledged again at t="
                + sec(fault.writesFlowAtMs()) + " s"));
        rows.add(List.of("Old primary " + fault.victim(), fault.oldPrimaryNote()));
        return rows;
    }

    static List<Section> sections(DrillReport r) {
        List<Section> out = new ArrayList<>();
        List<List<String>> targets = new ArrayList<>();
        targets.add(List.of("--max-rto", r.plan().maxRtoMs() == null ? "none" : r.plan().maxRtoMs() + " ms",
                r.figures().rtoMs() + " ms"));
        targets.add(List.of("--max-lost", r.plan().maxLost() == null ? "none" : r.plan().maxLost().toString(),
                r.lostWrites() < 0 ? "not checked" : Long.toString(r.lostWrites())));
        out.add(new Section("Targets", List.of("target", "limit", "measured"), targets));
        List<List<String>> nodes = new ArrayList<>();
        for (DrillReport.NodeCheck n : r.nodes()) {
            nodes.add(List.of(n.nodeId(), n.role(), n.checked() ? "yes" : "no", n.checked() ? Integer.toString(n.held()) : "-",
                    n.checked() ? Integer.toString(n.missing()) : "-", n.checked() ? Integer.toString(n.wrongBody()) : "-",
                    n.note() + (n.examples().isEmpty() ? "" : ", e.g. " + String.join(", ", n.examples()))));
        }
        out.add(new Section("Every acknowledged write on every node", List.of("node", "role", "checked", "holds", "missing",
                "other body", "note"), nodes));
        List<List<String>> events = new ArrayList<>();
        for (DrillReport.Event e : r.events()) {
            events.add(List.of("t=" + sec(e.atMs()) + " s", e.source(), e.type(), e.nodeId() == null ? "" : e.nodeId(),
                    Long.toString(e.epoch()), e.text()));
        }
        out.add(new Section("Timeline (cluster entries are stamped by the nodes' clocks)",
                List.of("time", "from", "event", "node", "epoch", "what"), events));
        out.add(new Section("Failed requests by class", List.of("request and class", "count"), pairs(r.failures())));
        out.add(new Section("Violations", List.of("what"), r.violations().stream().map(List::of).toList()));
        out.add(new Section("Versions", List.of("what", "version"), pairs(r.versions())));
        out.add(new Section("Settings", List.of("setting", "value"), pairs(r.settings())));
        DrillReport.Plan p = r.plan();
        out.add(new Section("Drill parameters", List.of("parameter", "value"), List.of(
                List.of("--kind", r.requestedKind()), List.of("--duration", p.durationMs() + " ms"),
                List.of("--rate", fmt(p.ratePerSecond()) + " writes/s"), List.of("--threads", Integer.toString(p.threads())),
                List.of("--slow", p.slowMs() + " ms"), List.of("--attempts", Integer.toString(p.maxAttempts())),
                List.of("--recovery-timeout", p.recoveryTimeoutMs() + " ms"), List.of("--rejoin-wait", p.rejoinWaitMs() + " ms"),
                List.of("--url", r.url()), List.of("request log", r.requestLog()))));
        return out;
    }

    private static List<List<String>> pairs(Map<String, ?> map) {
        return map.entrySet().stream().map(e -> List.of(e.getKey(), String.valueOf(e.getValue()))).toList();
    }

    static String sec(Long ms) {
        return ms == null ? "-" : String.format(Locale.ROOT, "%.1f", ms / 1000.0);
    }

    private static String fmt(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
