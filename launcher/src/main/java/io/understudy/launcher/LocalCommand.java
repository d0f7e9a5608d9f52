package io.understudy.launcher;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code understudy local}: the complete appliance on this machine, in the foreground. */
@Command(name = "local", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Run a complete local appliance in the foreground.",
            "A 3-server ZooKeeper ensemble (in this process), two PostgreSQL servers, nodes a and b and the",
            "failover switch (each in its own process), all on 127.0.0.1, with all state under --data-dir.",
            "Ctrl-C stops everything."})
final class LocalCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(LocalCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", defaultValue = "./data", paramLabel = "DIR",
            description = "where all state lives; a restart on the same dir keeps it (default: ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(names = "--cluster", defaultValue = "local", description = "cluster name (default: ${DEFAULT-VALUE})")
    String cluster;

    @Option(names = "--switch-port", defaultValue = "8080", description = "failover switch port (default: ${DEFAULT-VALUE})")
    int switchPort;

    @Option(names = "--node-a-port", defaultValue = "8081", description = "node a API port (default: ${DEFAULT-VALUE})")
    int nodeAPort;

    @Option(names = "--node-b-port", defaultValue = "8082", description = "node b API port (default: ${DEFAULT-VALUE})")
    int nodeBPort;

    @Option(names = "--pg-port-a", defaultValue = "15432", description = "PostgreSQL port of node a (default: ${DEFAULT-VALUE})")
    int pgPortA;

    @Option(names = "--pg-port-b", defaultValue = "15433", description = "PostgreSQL port of node b (default: ${DEFAULT-VALUE})")
    int pgPortB;

    @Option(names = "--zk-port", defaultValue = "12181",
            description = "first ZooKeeper client port; servers use it and the next two (default: ${DEFAULT-VALUE})")
    int zkPort;

    @Option(names = "--zk-quorum-port", defaultValue = "12281",
            description = "first ZooKeeper follower port, three in a row (default: ${DEFAULT-VALUE})")
    int zkQuorumPort;

    @Option(names = "--zk-election-port", defaultValue = "12381",
            description = "first ZooKeeper leader-election port, three in a row (default: ${DEFAULT-VALUE})")
    int zkElectionPort;

    @Option(names = "--node-config", paramLabel = "FILE",
            description = "key=value node settings added to both nodes' configuration, e.g. hooks.*, app.*, duties.*"
                    + " (the appliance rewrites the nodes' own files at every start)")
    Path nodeConfig;

    @Option(names = "--ready-timeout", defaultValue = "PT3M", paramLabel = "DURATION",
            description = "how long to wait for a primary and a healthy secondary, ISO-8601 (default: ${DEFAULT-VALUE})")
    Duration readyTimeout;

    @Override
    public Integer call() throws InterruptedException {
        ApplianceConfig config;
        try {
            config = new ApplianceConfig(dataDir, cluster, switchPort, nodeAPort, nodeBPort, pgPortA, pgPortB,
                    zkPort, zkQuorumPort, zkElectionPort);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        Map<String, String> nodeSettings;
        try {
            nodeSettings = nodeConfig == null ? Map.of() : readNodeSettings(nodeConfig);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        LocalAppliance appliance = new LocalAppliance(config, System.getProperty("java.class.path"), nodeSettings);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            appliance.close();
            stopped.countDown();
        }, "appliance-shutdown"));
        try {
            appliance.start(readyTimeout);
        } catch (RuntimeException e) {
            LOG.error("the local appliance did not start: {}", e.getMessage());
            return 1;
        }
        stopped.await();
        return 0;
    }

    /**
     * The settings of a {@code --node-config} file, sorted by key. The nodes validate them when they start.
     *
     * @throws IllegalArgumentException naming the file when it cannot be read
     */
    static Map<String, String> readNodeSettings(Path file) {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("--node-config " + file + ": cannot read: " + e.getMessage(), e);
        }
        Map<String, String> settings = new TreeMap<>();
        props.stringPropertyNames().forEach(key -> settings.put(key, props.getProperty(key)));
        return settings;
    }
}
