package io.understudy.launcher.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code understudy config show | set KEY=VALUE...}: the cluster-wide settings every node decides with. */
@Command(name = "config", mixinStandardHelpOptions = true, subcommands = {ConfigCommand.Show.class, ConfigCommand.Set.class},
        description = "Cluster-wide settings (kept in ZooKeeper, the same for every node).")
final class ConfigCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "config needs a subcommand: show or set KEY=VALUE");
    }

    @Command(name = "show", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Show every cluster-wide setting and which of them 'config set' may change.")
    static final class Show implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        ClusterOptions cluster;

        @Override
        public Integer call() {
            JsonNode body = AdminClient.expectOk(new AdminClient(cluster).get("/_understudy/config"), "config show").body();
            spec.commandLine().getOut().print(cluster.json() ? JsonText.pretty(body) : render(body));
            return 0;
        }

        static String render(JsonNode body) {
            Map<String, String> meaning = new LinkedHashMap<>();
            body.path("settable").forEach(k -> meaning.put(k.path("name").asText(), k.path("description").asText()));
            Table table = new Table("Cluster settings", "Key", "Value", "Settable", "Meaning");
            body.path("settings").properties().forEach(e -> table.row(e.getKey(), e.getValue().isNull() ? "-"
                    : e.getValue().asText(), meaning.containsKey(e.getKey()) ? "yes" : "no (pause/resume)",
                    meaning.getOrDefault(e.getKey(), "")));
            return table.render();
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Change cluster-wide settings. All of them are checked before anything is written; the change is" +
                " recorded in the history. Example: understudy config set maxLagOnFailoverBytes=2097152"})
    static final class Set implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        ClusterOptions cluster;

        @Parameters(arity = "1..*", paramLabel = "KEY=VALUE", description = "settings to change")
        List<String> assignments;

        @Option(names = "--reason", paramLabel = "TEXT", description = "why, for the history")
        String reason;

        @Override
        public Integer call() {
            Map<String, String> set = new LinkedHashMap<>();
            for (String assignment : assignments) {
                int eq = assignment.indexOf('=');
                if (eq <= 0) {
                    throw new ParameterException(spec.commandLine(), "'" + assignment + "' is not KEY=VALUE");
                }
                set.put(assignment.substring(0, eq).trim(), assignment.substring(eq + 1).trim());
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("set", set);
            body.put("reason", reason);
            JsonNode answer = AdminClient.expectOk(new AdminClient(cluster).act("PUT", "/_understudy/config", body),
                    "config set").body();
            StringBuilder text = new StringBuilder();
            answer.path("changes").forEach(c -> text.append(c.path("key").asText()).append(": ").append(c.path("from").asText())
                    .append(" -> ").append(c.path("to").asText()).append('\n'));
            spec.commandLine().getOut().print(cluster.json() ? JsonText.pretty(answer)
                    : text.length() == 0 ? "nothing changed: every value was already set\n" : text.toString());
            return 0;
        }
    }
}
