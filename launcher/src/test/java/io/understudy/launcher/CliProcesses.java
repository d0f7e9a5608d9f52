package io.understudy.launcher;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** {@code understudy} run as a user runs it: its own JVM, on the shaded jar when the build made one. */
final class CliProcesses {

    private CliProcesses() {
    }

    /** The arguments of {@code understudy local} for {@code config}'s data dir, cluster and ports. */
    static List<String> localArgs(ApplianceConfig config) {
        return List.of("local",
                "--data-dir", config.dataDir().toString(),
                "--cluster", config.clusterName(),
                "--switch-port", Integer.toString(config.switchPort()),
                "--nodes", Integer.toString(config.nodeIds().size()),
                "--node-port-base", Integer.toString(config.nodePortBase()),
                "--pg-port-base", Integer.toString(config.pgPortBase()),
                "--zk-port", Integer.toString(config.zkClientPortBase()),
                "--zk-quorum-port", Integer.toString(config.zkQuorumPortBase()),
                "--zk-election-port", Integer.toString(config.zkElectionPortBase()));
    }

    /** Starts {@code understudy <args>} with stdout and stderr to {@code <dir>/<name>.log} (and stdout alone to {@code .out}). */
    static Process start(Path dir, String name, List<String> args) throws IOException {
        List<String> command = ChildProcess.javaCommand(ChildProcess.currentJava(), TestPorts.childClasspath(), 256, name, args);
        return new ProcessBuilder(command)
                .redirectOutput(dir.resolve(name + ".out").toFile())
                .redirectError(dir.resolve(name + ".log").toFile())
                .start();
    }

    /** The appliance declares itself ready with its banner. */
    static void awaitBanner(Path dir, String name) {
        await(name + " appliance ready").atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(250))
                .until(() -> Files.readString(dir.resolve(name + ".out"), StandardCharsets.UTF_8)
                        .contains("Ctrl-C stops everything"));
    }
}
