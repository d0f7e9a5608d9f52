package io.understudy.node.support;

import io.understudy.node.NodeMain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * A node in its own OS process ({@link NodeMain} on this test's class path), so that a test can kill -9 it. Its
 * output goes to {@code target/<name>.log}, kept after the run for diagnosis.
 */
public final class NodeProcess {

    private final Path configFile;
    private final Path log;
    private final int heapMb;
    private Process process;

    /** Writes {@code config} to {@code configFile}; {@link #start} runs the node with it and {@code heapMb} of heap. */
    public NodeProcess(Map<String, String> config, Path configFile, String name, int heapMb) {
        this.configFile = configFile;
        this.log = Path.of("target", name + ".log");
        this.heapMb = heapMb;
        Properties p = new Properties();
        p.putAll(config);
        try (var out = Files.newBufferedWriter(configFile)) {
            p.store(out, "node " + name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public NodeProcess start() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx" + heapMb + "m", "-XX:+ExitOnOutOfMemoryError", "-cp",
                System.getProperty("java.class.path"), NodeMain.class.getName(), "--config", configFile.toString());
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        process = pb.start();
        return this;
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed or closed. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    /** Stops it, forcibly if need be; for clean-up after a test. */
    public void stop() throws InterruptedException {
        if (alive()) {
            process.destroy();
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                kill9();
            }
        }
    }
}
