package io.understudy.launcher;

import io.understudy.cluster.config.ConfigException;
import io.understudy.cluster.config.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A running local appliance's processes as another program sees them (a drill run with
 * {@code understudy drill}), found through its data dir: node JVMs by the pid files the appliance
 * keeps in {@code <data>/run}, PostgreSQL servers by their {@code postmaster.pid}. Every pid is
 * checked against the process table (still alive, still running that node's config file or that
 * data directory) before it is used, so a pid reused by another program is never signalled.
 */
public final class LocalProcesses {

    private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "[::1]", "::1");

    /** Only its paths are used, which depend on the data dir alone. */
    private final ApplianceConfig layout;

    private LocalProcesses(Path dataDir) {
        this.layout = ApplianceConfig.defaults(dataDir);
    }

    /**
     * The appliance in {@code dataDir} when {@code switchUrl} is its switch: a loopback address on the
     * port its switch config names. Empty for any other address (a remote cluster).
     */
    public static Optional<LocalProcesses> forSwitch(Path dataDir, String switchUrl) {
        LocalProcesses local = new LocalProcesses(dataDir);
        Path switchFile = ChildConfigs.switchFile(local.layout);
        if (!Files.isRegularFile(switchFile)) {
            return Optional.empty();
        }
        try {
            URI uri = URI.create(switchUrl);
            int port = Settings.load(switchFile, java.util.Map.of()).port("switch.port", 8080);
            boolean same = uri.getHost() != null && LOOPBACK.contains(uri.getHost()) && uri.getPort() == port;
            return same ? Optional.of(local) : Optional.empty();
        } catch (IllegalArgumentException | ConfigException e) {
            return Optional.empty();
        }
    }

    public Path dataDir() {
        return layout.dataDir();
    }

    /** @throws IllegalStateException saying why when node {@code nodeId}'s JVM is not running from this appliance */
    public ProcessHandle node(String nodeId) {
        String name = ChildLauncher.nodeName(nodeId);
        Path pidFile = layout.dataDir().resolve("run").resolve(name + ".pid");
        String config = ChildConfigs.nodeFile(layout, nodeId).toString();
        try {
            Optional<ProcessHandle> process = Files.exists(pidFile)
                    ? Orphans.readPid(pidFile).flatMap(ProcessHandle::of) : Optional.empty();
            return process.filter(p -> p.isAlive() && p.info().arguments().map(List::of).orElse(List.of()).contains(config))
                    .orElseThrow(() -> new IllegalStateException(name + " is not running from " + layout.dataDir()
                            + " (no live process for " + pidFile + ")"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + pidFile, e);
        }
    }

    /** @throws IllegalStateException saying why when node {@code nodeId}'s PostgreSQL is not running */
    public ProcessHandle postmaster(String nodeId) {
        Path dir = layout.postgresDir(nodeId);
        Path pidFile = dir.resolve("postmaster.pid");
        try {
            Optional<ProcessHandle> process = Files.exists(pidFile)
                    ? StalePostmaster.pidOf(Files.readString(pidFile, StandardCharsets.UTF_8)).flatMap(ProcessHandle::of)
                    : Optional.empty();
            return process.filter(p -> StalePostmaster.runs(new StalePostmaster.ProcessInfo(p.isAlive(),
                            p.info().command().orElse(null), p.info().arguments().map(List::of).orElse(List.of())), dir.toString()))
                    .orElseThrow(() -> new IllegalStateException("PostgreSQL of node " + nodeId + " is not running on " + dir));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + pidFile, e);
        }
    }

    /** Sends {@code kill -<signal>} (e.g. {@code STOP}, {@code CONT}) to {@code process}. */
    public static void signal(ProcessHandle process, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).redirectErrorStream(true).start();
            String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed: " + out.trim());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run kill", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted sending SIG" + signal + " to " + process.pid(), e);
        }
    }

    /**
     * SIGKILL to {@code root} and every process it started (as when the OOM killer takes a whole
     * server), then waits until all are gone.
     *
     * @return the processes killed, {@code root} first
     * @throws IllegalStateException when one survives SIGKILL for 30 s
     */
    public static List<ProcessHandle> killTree(String what, ProcessHandle root) {
        List<ProcessHandle> all = new ArrayList<>(root.descendants().toList());
        all.add(0, root);
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle process : all) {
            try {
                process.onExit().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException(what + ": pid " + process.pid() + " did not die after SIGKILL", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while killing " + what, e);
            }
        }
        return all;
    }
}
