package io.understudy.launcher;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import io.understudy.cluster.config.ConfigException;
import io.understudy.cluster.config.LogSettings;
import io.understudy.cluster.config.Settings;
import io.understudy.launcher.cli.ClientCommands;
import io.understudy.launcher.cli.CliFailure;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.Set;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code understudy} command. Exit codes of the client commands (status, history, switchover,
 * failover, pause, resume, config, members, drill): 0 done, 1 refused or failed, 2 usage.
 */
@Command(name = "understudy", mixinStandardHelpOptions = true, version = "understudy 0.1.0",
        description = {"Primary/secondary failover appliance.", "",
            "Exit codes of the client commands: 0 done, 1 refused or failed (the switch said no, could not be",
            "reached or did not accept the token, or a drill missed its targets), 2 usage."},
        subcommands = {LocalCommand.class, NodeCommand.class, SwitchCommand.class, SessionCommand.class, TestAppCommand.class})
public final class UnderstudyCli implements Runnable {

    /** The commands that run a service and keep its threads running after they return. */
    private static final Set<String> SERVICES = Set.of("local", "node", "switch", "testapp");

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
        CommandLine cli = commandLine();
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionStrategy(parseResult -> {
            if (parseResult.hasSubcommand() && !SERVICES.contains(parseResult.subcommand().commandSpec().name())) {
                quietLogging();
            }
            return new CommandLine.RunLast().execute(parseResult);
        });
        int code = cli.execute(args);
        out.flush();
        err.flush();
        CommandLine.ParseResult parsed = cli.getParseResult();
        boolean service = parsed != null && parsed.hasSubcommand() && SERVICES.contains(parsed.subcommand().commandSpec().name());
        // A node or switch main returns with its server threads still running: only exit on failure.
        if (code != 0 || !service) {
            System.exit(code);
        }
    }

    /** The command line with every subcommand, and a {@link CliFailure} printed as one line with its exit code. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new UnderstudyCli());
        ClientCommands.addTo(cli);
        cli.setExecutionExceptionHandler((e, command, parseResult) -> {
            if (e instanceof CliFailure failure) {
                command.getErr().println(command.getCommandSpec().qualifiedName() + ": " + failure.getMessage());
                command.getErr().flush();
                return failure.exitCode();
            }
            throw e;
        });
        return cli;
    }

    /** Client commands print their own output on stdout; logs would only get in the way of tables and JSON. */
    private static void quietLogging() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.reset();
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            try {
                configurator.doConfigure(UnderstudyCli.class.getResource("/logback-cli.xml"));
            } catch (JoranException e) {
                System.err.println("understudy: cannot configure logging: " + e.getMessage());
            }
        }
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required, e.g. local, status or drill"
                + " (see --help)");
    }
}
