package io.understudy.launcher;

import io.understudy.cluster.config.ConfigException;
import io.understudy.cluster.config.Settings;
import io.understudy.cluster.zk.SessionFile;
import io.understudy.node.Node;
import io.understudy.node.NodeConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code understudy session close --config FILE}: ends the ZooKeeper session a node recorded in its data directory,
 * for a service manager's post-stop step ({@code ExecStopPost=}). It must only run once the node process has exited:
 * then it does what the process would have done on a clean stop, and the other nodes need not wait out the session
 * timeout. See {@link SessionFile}.
 */
@Command(name = "session", mixinStandardHelpOptions = true,
        description = "A stopped node's ZooKeeper session.",
        subcommands = SessionCommand.Close.class)
final class SessionCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: close");
    }

    /** Exit 0 whether or not a session was still open: a stop step that fails would only hide the node's own exit. */
    @Command(name = "close", mixinStandardHelpOptions = true,
            description = {"End the ZooKeeper session recorded by a node that has exited, so its member record and",
                "election latch go at once instead of after the session timeout. Run it only after the node's",
                "process is gone (e.g. systemd ExecStopPost=)."})
    static final class Close implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--config", required = true, paramLabel = "FILE",
                description = "the node's properties file: its zookeeper.connect and data.dir are used")
        Path config;

        @Option(names = "--timeout-ms", defaultValue = "3000",
                description = "how long to try to reach ZooKeeper (default: ${DEFAULT-VALUE})")
        long timeoutMs;

        @Override
        public Integer call() {
            NodeConfig node;
            try {
                node = NodeConfig.from(Settings.load(config));
            } catch (ConfigException e) {
                spec.commandLine().getErr().println("configuration error: " + e.getMessage());
                return MainDelegate.CONFIG_ERROR;
            }
            Path file = node.dataDir().resolve(Node.SESSION_FILE);
            boolean closed = SessionFile.closeDeadOwnersSession(node.zookeeperConnect(), file, timeoutMs);
            spec.commandLine().getOut().println(closed
                    ? "closed the ZooKeeper session of stopped node " + node.nodeId()
                    : "no open ZooKeeper session recorded for node " + node.nodeId());
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
