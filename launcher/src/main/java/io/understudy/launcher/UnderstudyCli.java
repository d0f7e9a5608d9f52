package io.understudy.launcher;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code understudy} command. */
@Command(name = "understudy", mixinStandardHelpOptions = true, version = "understudy 0.1.0",
        description = "Primary/secondary failover appliance.",
        subcommands = {LocalCommand.class, NodeCommand.class, SwitchCommand.class, TestAppCommand.class})
public final class UnderstudyCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        int code = new CommandLine(new UnderstudyCli()).execute(args);
        // A node or switch main returns with its server threads still running: only exit on failure.
        if (code != 0) {
            System.exit(code);
        }
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: local, node or switch");
    }
}
