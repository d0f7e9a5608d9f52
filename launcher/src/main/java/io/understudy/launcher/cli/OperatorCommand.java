package io.understudy.launcher.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.understudy.failoverswitch.admin.StatusReport;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The shape of the operator commands (switchover, failover, pause, resume): one command sent to the
 * switch and, with {@code --wait}, its outcome awaited: the node that handles a command records it
 * in history as {@code command <id> (<TYPE>) from <who>: <outcome>}, where a refused or abandoned
 * command says so.
 */
abstract class OperatorCommand implements Callable<Integer> {

    private static final Duration POLL = Duration.ofMillis(200);
    /** How long a recorded refusal must stand against the status before it is believed. */
    private static final Duration REFUSAL_SETTLES = Duration.ofSeconds(3);

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster;

    @Mixin
    WaitOptions waiting;

    private AdminClient client;
    private PrintWriter out;

    private AdminClient client() {
        if (client == null) {
            client = new AdminClient(cluster);
            out = spec.commandLine().getOut();
        }
        return client;
    }

    StatusReport status() {
        return StatusParsing.fetch(client());
    }

    /** The operator's reason, for the history. */
    String reason() {
        return waiting.reason;
    }

    /**
     * @param done with {@code --wait}: the status that shows the command took effect
     * @return the exit code
     */
    int submit(String action, Map<String, Object> body, Predicate<StatusReport> done, String doneText)
            throws InterruptedException {
        AdminClient client = client();
        boolean wait = waiting.wait;
        Duration timeout = waiting.timeout;
        long begin = System.nanoTime();
        AdminClient.Answer answer = AdminClient.expectOk(client.act("POST", "/_understudy/" + action, body), action);
        String id = answer.body().path("command").path("id").asText();
        if (!wait) {
            print(answer.body(), action + " accepted as command " + id + "; 'understudy history' shows its outcome");
            return 0;
        }
        long deadline = begin + timeout.toNanos();
        Optional<String> outcome = Optional.empty();
        long refusedAt = 0;
        while (System.nanoTime() - deadline < 0) {
            outcome = outcome.or(() -> outcome(id));
            if (outcome.isPresent() && done.test(status())) {
                long ms = Duration.ofNanos(System.nanoTime() - begin).toMillis();
                print(answer.body(), action + " done in " + ms + " ms: " + doneText + " (history: " + outcome.get() + ")");
                return 0;
            }
            boolean refused = outcome.isPresent() && (outcome.get().startsWith("refused") || outcome.get().startsWith("abandoned"));
            if (refused && refusedAt == 0) {
                refusedAt = System.nanoTime();
            }
            // The status decides: a node that was not the one to carry the command out can record a refusal
            // while the target is completing it (seen as "refused: the cluster is in epoch N+1" for a switchover
            // that happened), so a refusal only stands once the status has not shown the command done for a while.
            if (refused && System.nanoTime() - refusedAt > REFUSAL_SETTLES.toNanos()) {
                throw new CliFailure(action + " " + outcome.get());
            }
            Thread.sleep(POLL.toMillis()); // polling the cluster's state while the command is carried out
        }
        throw new CliFailure(action + " (command " + id + ") not done within " + timeout.toSeconds() + " s (--wait-timeout): "
                + outcome.map(o -> "the handling node says '" + o + "' but the status does not show it yet")
                        .orElse("no node has handled it yet; 'understudy history' will show when one does"));
    }

    /** The outcome the handling node recorded for command {@code id}, if it did yet. */
    private Optional<String> outcome(String id) {
        AdminClient.Answer history = client().get("/_understudy/history?limit=200");
        if (!history.ok()) {
            return Optional.empty();
        }
        String marker = "command " + id + " ";
        for (JsonNode entry : history.body().path("history")) {
            String reason = entry.path("reason").asText("");
            if ("COMMAND".equals(entry.path("type").asText()) && reason.startsWith(marker)) {
                int from = reason.indexOf(" from ");
                int colon = reason.indexOf(": ", Math.max(from, 0));
                return Optional.of(colon < 0 ? reason : reason.substring(colon + 2));
            }
        }
        return Optional.empty();
    }

    private void print(JsonNode body, String text) {
        out.print(cluster.json() ? JsonText.pretty(body) : text + "\n");
        out.flush();
    }
}
