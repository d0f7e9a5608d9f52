package io.understudy.node;

import io.understudy.cluster.config.ConfigException;
import io.understudy.cluster.config.Settings;
import io.understudy.node.election.NodeRemovedException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * {@code understudy node --config FILE}: runs one node until SIGTERM/Ctrl-C. Exit 2 on a bad config, {@link #EXIT_REMOVED}
 * when the node was removed from its cluster (a supervisor must not start it again until it is readmitted).
 */
public final class NodeMain {

    /** The node was removed from the cluster (docs/membership.md): starting it again cannot help. */
    public static final int EXIT_REMOVED = 3;

    private static final Logger log = LoggerFactory.getLogger(NodeMain.class);

    private NodeMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !args[0].equals("--config")) {
            log.error("usage: node --config FILE");
            System.exit(2);
        }
        NodeConfig config;
        try {
            config = NodeConfig.from(Settings.load(Path.of(args[1])));
        } catch (ConfigException e) {
            log.error("refusing to start: {}", e.getMessage());
            System.exit(2);
            return;
        }
        MDC.put("node", config.nodeId());
        Node node;
        try {
            node = Node.start(config, () -> {
                log.warn("exiting with code {}: this node was removed from the cluster", EXIT_REMOVED);
                System.exit(EXIT_REMOVED);
            });
        } catch (NodeRemovedException e) {
            log.error("refusing to start: {}", e.getMessage());
            System.exit(EXIT_REMOVED);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stopped.countDown();
        }, "node-shutdown"));
        stopped.await();
    }
}
