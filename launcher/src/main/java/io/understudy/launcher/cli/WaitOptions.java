package io.understudy.launcher.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --wait} and how long, for commands the cluster carries out after the switch accepted them. */
final class WaitOptions {

    @Option(names = "--wait", description = "wait until the cluster has done it (exit 1 if it refused or did not in time)")
    boolean wait;

    @Option(names = "--wait-timeout", defaultValue = "60s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "how long --wait waits (default: ${DEFAULT-VALUE})")
    Duration timeout;

    @Option(names = "--reason", paramLabel = "TEXT", description = "why, for the history")
    String reason;
}
