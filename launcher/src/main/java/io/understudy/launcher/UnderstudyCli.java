package io.understudy.launcher;

import io.understudy.cluster.config.ConfigException;
import io.understudy.cluster.config.LogSettings;
import io.understudy.cluster.config.Settings;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code understudy} command. */
@Command(name = "understudy", mixinStandardHelpOptions = true, version = "understudy 0.1.0",
        description = "Primary/secondary failover appliance.",
        subcommands = {LocalCommand.class, NodeCommand.class, SwitchCommand.class})
public final class UnderstudyCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // before anything logs: UNDERSTUDY_LOG_FORMAT applies to every subcommand (`node` and `switch` read their file too)
        try {
            Settings environment = new Settings("UNDERSTUDY_LOG_FORMAT in the environment", new Properties(), System.getenv());
            LogFormat.use(LogSettings.from(environment).format(), LogFormat.processName("understudy"));
        } catch (ConfigException e) {
            System.err.println("understudy: " + e.getMessage());
            System.exit(MainDelegate.CONFIG_ERROR);
        }
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
