package io.understudy.launcher.cli.drill;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.understudy.cluster.ClusterJson;
import io.understudy.workload.Op;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes a drill's report as {@code <name>.json}, {@code .md} and {@code .html}, and its request log. */
final class ReportFiles {

    private ReportFiles() {
    }

    static String requestLogName(String name) {
        return name + ".requests.jsonl";
    }

    /** @return the JSON report's path */
    static Path write(Path dir, DrillReport report, List<Op> ops, long startNanos) throws IOException {
        Files.createDirectories(dir);
        Path json = dir.resolve(report.name() + ".json");
        Files.writeString(json, ClusterJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report) + "\n",
                StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(report.name() + ".md"), MarkdownReport.render(report), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(report.name() + ".html"), HtmlReport.render(report), StandardCharsets.UTF_8);
        try (BufferedWriter log = Files.newBufferedWriter(dir.resolve(report.requestLog()), StandardCharsets.UTF_8)) {
            for (Op op : ops.stream().sorted(Comparator.comparingLong(Op::startNanos)).toList()) {
                log.write(line(op, startNanos));
                log.write('\n');
            }
        }
        return json;
    }

    /** One request: times in ms since the load started, with microseconds. */
    static String line(Op op, long startNanos) throws JsonProcessingException {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("kind", op.kind());
        fields.put("seq", op.seq());
        fields.put("attempt", op.attempt());
        fields.put("id", op.id());
        fields.put("startMs", (op.startNanos() - startNanos) / 1000 / 1000.0);
        fields.put("endMs", (op.endNanos() - startNanos) / 1000 / 1000.0);
        fields.put("status", op.status());
        fields.put("outcome", op.outcome());
        fields.put("epoch", op.epoch());
        fields.put("node", op.node());
        fields.put("replayed", op.replayed());
        return ClusterJson.MAPPER.writeValueAsString(fields);
    }
}
