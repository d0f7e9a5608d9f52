package io.understudy.failoverswitch;

import ch.qos.logback.classic.LoggerContext;
import io.understudy.cluster.config.ConfigException;
import io.understudy.cluster.config.Settings;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the switch as a process: {@code SwitchMain --config <file>}. Exit status 2 for a bad
 * command line or configuration (the message names the file and the key), 1 for any other
 * failure to start. Ctrl-C / SIGTERM stop the switch gracefully: open requests are answered first,
 * then logging stops, which writes the access-log lines still queued.
 */
public final class SwitchMain {

    private static final Logger log = LoggerFactory.getLogger(SwitchMain.class);
    static final int EXIT_CONFIG = 2;
    static final int EXIT_FAILED = 1;

    private SwitchMain() {
    }

    public static void main(String[] args) {
        int status = launch(args, server -> Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stopGracefully();
            stopLogging();
        }, "switch-shutdown")));
        if (status != 0) {
            System.exit(status);
        }
        // Undertow's non-daemon IO threads keep the process alive until the shutdown hook runs
    }

    /**
     * Stops Logback, whose appenders then write what they hold: the access log's writer queues lines
     * (see {@code logback.xml}), and the JVM ends as soon as this shutdown hook returns.
     */
    static void stopLogging() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.stop();
        }
    }

    /** Starts the switch and hands it to {@code onStarted}; returns 0, or the exit status of a failed start. */
    static int launch(String[] args, Consumer<SwitchServer> onStarted) {
        SwitchServer server;
        try {
            server = SwitchServer.start(SwitchConfig.from(Settings.load(configFile(args))));
        } catch (ConfigException e) {
            log.error("bad configuration: {}", e.getMessage());
            return EXIT_CONFIG;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.error("interrupted while starting the switch");
            return EXIT_FAILED;
        } catch (Exception e) {
            log.error("the switch failed to start: {}", e.getMessage(), e);
            return EXIT_FAILED;
        }
        onStarted.accept(server);
        return 0;
    }

    /** {@code --config <file>} or {@code --config=<file>}, and nothing else. */
    static Path configFile(String[] args) {
        Path file = null;
        for (int i = 0; i < args.length; i++) {
            String value;
            if (args[i].equals("--config") && i + 1 < args.length) {
                value = args[++i];
            } else if (args[i].startsWith("--config=")) {
                value = args[i].substring("--config=".length());
            } else {
                throw new ConfigException("command line", args[i], "unknown argument (usage: SwitchMain --config <file>)");
            }
            if (file != null) {
                throw new ConfigException("command line", "--config", "given twice");
            }
            file = Path.of(value);
        }
        if (file == null) {
            throw new ConfigException("command line", "--config", "is required (usage: SwitchMain --config <file>)");
        }
        return file;
    }
}
