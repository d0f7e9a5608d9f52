package io.understudy.launcher;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code understudy local} started as a user starts it, in its own JVM, on an appliance's ports, its
 * output in a file; every process started is stopped, with its children, by {@link #close}.
 */
final class LocalCommandLine implements AutoCloseable {

    private final List<Process> started = new ArrayList<>();

    /**
     * @param name the process name its log lines carry
     * @param env  variables added to this JVM's environment
     */
    Process start(ApplianceConfig config, String name, Path out, Map<String, String> env) throws IOException {
        List<String> args = CliProcesses.localArgs(config);
        List<String> command = ChildProcess.javaCommand(ChildProcess.currentJava(), TestPorts.childClasspath(), 256, name, args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        started.add(process);
        return process;
    }

    /** Kills every process started here and its descendants. */
    @Override
    public void close() {
        for (Process process : started) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }
}
