package io.understudy.launcher.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code understudy history}: promotions, demotions, commands, rejoins, settings changes and drills, oldest first. */
@Command(name = "history", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Show the cluster's history, oldest first: promotions, demotions, switchovers, operator commands" +
            " and their outcome, rejoins (and quarantines), settings changes and drills, with times (this " +
            "machine's time zone) and reasons."})
final class HistoryCommand implements Callable<Integer> {

    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster;

    @Option(names = {"-n", "--limit"}, defaultValue = "50", description = "the newest this many entries (default: ${DEFAULT-VALUE})")
    int limit;

    @Override
    public Integer call() {
        AdminClient.Answer answer = AdminClient.expectOk(new AdminClient(cluster).get("/_understudy/history?limit=" + limit),
                "history");
        if (cluster.json()) {
            spec.commandLine().getOut().print(JsonText.pretty(answer.body()));
            return 0;
        }
        List<JsonNode> entries = new ArrayList<>();
        answer.body().path("history").forEach(entries::add);
        Collections.reverse(entries);
        Table table = new Table("History of " + cluster.url(), "Time", "Event", "Node", "From", "Epoch", "Reason");
        for (JsonNode e : entries) {
            table.row(TIME.format(Instant.ofEpochMilli(e.path("atMs").asLong())), e.path("type").asText(),
                    e.path("nodeId").asText(""), e.path("previousNodeId").asText(""), e.path("epoch").asLong(),
                    e.path("reason").asText(""));
        }
        spec.commandLine().getOut().print(entries.isEmpty() ? "no history yet\n" : table.render());
        return 0;
    }
}
