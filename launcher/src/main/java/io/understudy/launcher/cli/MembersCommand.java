package io.understudy.launcher.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code understudy members remove NODE}: decommission a node. */
@Command(name = "members", mixinStandardHelpOptions = true, subcommands = MembersCommand.Remove.class,
        description = "The cluster's members.")
final class MembersCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "members needs a subcommand: remove NODE");
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Decommission a node: the primary drops its replication slot and publication at once, so it " +
                "stops keeping WAL for it. Stop the node first; the primary cannot be removed."})
    static final class Remove implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        ClusterOptions cluster;

        @Parameters(index = "0", paramLabel = "NODE", description = "the node id")
        String node;

        @Option(names = "--reason", paramLabel = "TEXT", description = "why, for the history")
        String reason;

        @Override
        public Integer call() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("reason", reason);
            AdminClient client = new AdminClient(cluster);
            AdminClient.Answer answer = client.act("POST", "/_understudy/members/" + node + "/remove", body);
            if (answer.status() == 404 && answer.message().startsWith("no switch endpoint")) {
                throw new CliFailure("the switch at " + client.url() + " cannot remove members: it has no "
                        + "/_understudy/members/{id}/remove endpoint (a switch of an older version); nothing was changed");
            }
            AdminClient.expectOk(answer, "members remove " + node);
            spec.commandLine().getOut().print(cluster.json() ? JsonText.pretty(answer.body())
                    : "removed " + node + (answer.body().has("message") ? ": " + answer.message() : "") + "\n");
            return 0;
        }
    }
}
