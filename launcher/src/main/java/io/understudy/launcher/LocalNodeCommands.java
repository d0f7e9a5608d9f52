package io.understudy.launcher;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code understudy local add-node} and {@code remove-node}: change the nodes of the appliance running on a data dir,
 * through its control endpoint. Each prints the appliance's JSON answer; exit 0 when done, 1 when refused or the
 * appliance does not answer, 2 on a usage error.
 */
final class LocalNodeCommands {

    private LocalNodeCommands() {
    }

    @Command(name = "add-node", mixinStandardHelpOptions = true,
            description = {"Add a node to the running local appliance: its own PostgreSQL and node process; it joins as a",
                "secondary, takes a fresh copy and streams. Returns once the switch shows it streaming."})
    static final class AddNode implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        DataDirOption dataDir;

        @Option(names = "--id", paramLabel = "ID", description = "node id, a letter a-i (default: the first free one)")
        String id;

        @Override
        public Integer call() {
            return answer(spec, () -> ControlClient.forDataDir(dataDir.dataDir).post("/nodes",
                    id == null ? Map.of() : Map.of("id", id), Duration.ofMinutes(6)));
        }
    }

    @Command(name = "remove-node", mixinStandardHelpOptions = true,
            description = {"Remove a node from the running local appliance: stop it, then decommission it through the",
                "switch (the primary drops its replication slot and publication at once; the node may not rejoin",
                "until added again). Refused for the primary and below two nodes. Its data stays on disk."})
    static final class RemoveNode implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        DataDirOption dataDir;

        @Parameters(index = "0", paramLabel = "ID", description = "the node to remove")
        String id;

        @Override
        public Integer call() {
            return answer(spec, () -> ControlClient.forDataDir(dataDir.dataDir).post("/nodes/" + id + "/remove", Map.of(),
                    Duration.ofMinutes(2)));
        }
    }

    private static int answer(CommandSpec spec, java.util.function.Supplier<ControlClient.Answer> call) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            ControlClient.Answer answer = call.get();
            (answer.ok() ? out : err).println(answer.json());
            return answer.ok() ? 0 : 1;
        } catch (RuntimeException e) {
            err.println(e.getMessage());
            return 1;
        } finally {
            out.flush();
            err.flush();
        }
    }
}
