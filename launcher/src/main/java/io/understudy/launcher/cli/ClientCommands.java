package io.understudy.launcher.cli;

import io.understudy.launcher.cli.drill.DrillCommand;
import picocli.CommandLine;

/** The client commands of {@code understudy}, which talk to a running cluster over HTTP. */
public final class ClientCommands {

    private ClientCommands() {
    }

    public static void addTo(CommandLine cli) {
        cli.addSubcommand(new StatusCommand());
        cli.addSubcommand(new HistoryCommand());
        cli.addSubcommand(new SwitchoverCommand());
        cli.addSubcommand(new FailoverCommand());
        cli.addSubcommand(new PauseCommand.Pause());
        cli.addSubcommand(new PauseCommand.Resume());
        cli.addSubcommand(new ConfigCommand());
        cli.addSubcommand(new MembersCommand());
        cli.addSubcommand(new DrillCommand());
    }
}
