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
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code understudy local}: the complete appliance on this machine, in the foreground. */
@Command(name = "local", mixinStandardHelpOptions = true, sortOptions = false,
        subcommands = {LocalNodeCommands.AddNode.class, LocalNodeCommands.RemoveNode.class},
        description = {
            "Run a complete local appliance in the foreground.",
            "A 3-server ZooKeeper ensemble (in this process), one PostgreSQL server per node, the nodes a, b, ...",
            "and the failover switch (each in its own process, started again if it dies), all on 127.0.0.1,",
            "with all state under --data-dir. Ctrl-C stops everything."})
final class LocalCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(LocalCommand.class);

    @Spec
    CommandSpec spec;

    @Mixin
    DataDirOption dataDirOption;

    @Option(names = "--cluster", defaultValue = "local", description = "cluster name (default: ${DEFAULT-VALUE})")
    String cluster;

    @Option(names = "--switch-port", defaultValue = "8080", description = "failover switch port (default: ${DEFAULT-VALUE})")
    int switchPort;

    @Option(names = "--nodes", paramLabel = "N",
            description = "how many nodes, 2-9 (default: 2, or as many as the data dir already runs; a larger N adds nodes)")
    Integer nodes;

    @Option(names = "--node-port-base", defaultValue = "8081", paramLabel = "PORT",
            description = "API port of node a; node b uses the next one, and so on (default: ${DEFAULT-VALUE})")
    int nodePortBase;

    @Option(names = "--pg-port-base", defaultValue = "15432", paramLabel = "PORT",
            description = "PostgreSQL port of node a; node b uses the next one, and so on (default: ${DEFAULT-VALUE})")
    int pgPortBase;

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
            description = "key=value node settings added to every node's configuration, e.g. hooks.*, app.*, duties.*"
                    + " (the appliance rewrites the nodes' own files at every start)")
    Path nodeConfig;

    @Option(names = "--ready-timeout", defaultValue = "PT3M", paramLabel = "DURATION",
            description = "how long to wait for every node to serve, ISO-8601 (default: ${DEFAULT-VALUE})")
    Duration readyTimeout;

    @Override
    public Integer call() throws InterruptedException {
        ApplianceConfig config;
        try {
            Path dataDir = dataDirOption.dataDir;
            List<String> ids = ApplianceNodes.choose(nodes, ApplianceNodes.read(dataDir.toAbsolutePath().normalize()
                    .resolve("conf")));
            config = new ApplianceConfig(dataDir, cluster, switchPort, nodePortBase, pgPortBase, ids, zkPort, zkQuorumPort,
                    zkElectionPort);
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
        try (ApplianceControl control = ApplianceControl.start(appliance)) {
            stopped.await();
        }
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
