package io.understudy.launcher;

import io.understudy.cluster.config.Settings;
import picocli.CommandLine.Command;

/** {@code understudy node --config FILE}: runs one application node in the foreground. */
@Command(name = "node", mixinStandardHelpOptions = true,
        description = "Run an application node (primary or secondary, decided by the cluster).")
final class NodeCommand extends ServiceCommand {

    static final String MAIN_CLASS = "io.understudy.node.NodeMain";

    @Override
    String mainClass() {
        return MAIN_CLASS;
    }

    @Override
    String processName(Settings settings) {
        return "node-" + settings.string("node.id", "unnamed");
    }
}
