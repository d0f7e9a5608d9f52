package io.understudy.launcher;

import io.understudy.cluster.config.Settings;
import picocli.CommandLine.Command;

/** {@code understudy switch --config FILE}: runs the failover switch in the foreground. */
@Command(name = "switch", mixinStandardHelpOptions = true,
        description = "Run the failover switch: the HTTP proxy that always points at the current primary.")
final class SwitchCommand extends ServiceCommand {

    static final String MAIN_CLASS = "io.understudy.failoverswitch.SwitchMain";

    @Override
    String mainClass() {
        return MAIN_CLASS;
    }

    @Override
    String processName(Settings settings) {
        return "switch";
    }
}
