package io.understudy.launcher;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One PostgreSQL server (zonky's binaries) on a fixed loopback port, with its data kept in a
 * directory of ours across restarts, logical decoding enabled and durability on. zonky always
 * passes {@code -F} (fsync off) and defaults {@code synchronous_commit=off}; the {@code -c}
 * settings here come after {@code -F} on the postmaster's command line, and a later setting wins,
 * so both are back on. Not thread-safe.
 */
public final class LocalPostgres implements AutoCloseable {

    public static final String SUPERUSER = "postgres";

    private static final Logger LOG = LoggerFactory.getLogger(LocalPostgres.class);
    private static final Duration STARTUP_WAIT = Duration.ofSeconds(90);
    private static final Duration ORPHAN_STOP_WAIT = Duration.ofSeconds(30);

    private final String name;
    private final Path dataDir;
    private final int port;
    private final Path logFile;
    private EmbeddedPostgres server;
    private boolean pidFileChecked;

    /**
     * @param name    for log lines, e.g. {@code postgres-a}
     * @param dataDir the cluster's data directory; created and initialised (initdb) if it has no
     *                {@code postgresql.conf} yet, which is also how zonky decides
     * @param logFile where the server's own output goes (appended)
     */
    public LocalPostgres(String name, Path dataDir, int port, Path logFile) {
        this.name = name;
        this.dataDir = dataDir.toAbsolutePath().normalize();
        this.port = port;
        this.logFile = logFile;
    }

    /** Starts the server and blocks until it accepts connections. */
    public void start() {
        long started = System.nanoTime();
        boolean fresh = !Files.exists(dataDir.resolve("postgresql.conf"));
        try {
            Files.createDirectories(logFile.getParent());
            recoverFromUncleanStop();
            server = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setRegisterShutdownHook(false)
                    .setPort(port)
                    .setPGStartupWait(STARTUP_WAIT)
                    .setOutputRedirector(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .setErrorRedirector(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .setServerConfig("listen_addresses", ApplianceConfig.HOST)
                    .setServerConfig("wal_level", "logical")
                    .setServerConfig("max_replication_slots", "10")
                    .setServerConfig("max_wal_senders", "10")
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on")
                    .setServerConfig("max_connections", "100")
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException(name + " did not start on " + ApplianceConfig.HOST + ":" + port + " (data "
                    + dataDir + "): " + e.getMessage() + "; see " + logFile, e);
        }
        LOG.info("{} ready on {}:{} in {} ms ({}, data {})", name, ApplianceConfig.HOST, port,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), fresh ? "new cluster, initdb" : "existing data", dataDir);
    }

    public int port() {
        return port;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + ApplianceConfig.HOST + ":" + port + "/postgres";
    }

    /** A data source for the {@code postgres} database as the superuser; only valid while started. */
    public DataSource dataSource() {
        if (server == null) {
            throw new IllegalStateException(name + " is not running");
        }
        return server.getPostgresDatabase();
    }

    /** The postmaster's pid from the first line of {@code postmaster.pid}; empty when the file is absent. */
    public Optional<Long> postmasterPid() throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        return StalePostmaster.pidOf(Files.readString(pidFile, StandardCharsets.UTF_8));
    }

    /**
     * Crashes the server for a drill: SIGKILL to the postmaster and every process it started (as
     * when the machine's OOM killer takes the whole server), then waits until they are all gone.
     * The next {@link #start} runs PostgreSQL's crash recovery on the same data.
     *
     * @return the postmaster's pid
     * @throws IllegalStateException when the server is not running
     */
    public long crash() throws IOException {
        long pid = postmasterPid().orElseThrow(() -> new IllegalStateException(name + " has no postmaster.pid in " + dataDir));
        ProcessHandle postmaster = ProcessHandle.of(pid)
                .orElseThrow(() -> new IllegalStateException(name + ": postmaster pid " + pid + " is not running"));
        LOG.warn("{}: crashing PostgreSQL for a drill: SIGKILL to postmaster {} and its child processes", name, pid);
        LocalProcesses.killTree(name, postmaster);
        // Releases zonky's lock on the data dir (a new server refuses to start while it is held); its
        // pg_ctl stop finds no server and zonky only logs that.
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("{}: closing the crashed server: {}", name, e.toString());
        }
        server = null;
        pidFileChecked = false;
        return pid;
    }

    /** Fast shutdown ({@code pg_ctl stop -m fast}), waiting for it; idempotent. */
    @Override
    public void close() {
        if (server == null) {
            return;
        }
        try {
            server.close();
            LOG.info("{} stopped", name);
        } catch (IOException e) {
            LOG.error("{} did not stop cleanly: {}", name, e.getMessage(), e);
        } finally {
            server = null;
        }
    }

    /**
     * Deals with a {@code postmaster.pid} left by a server that was not stopped cleanly (see
     * {@link StalePostmaster}); frees the port of an orphaned postmaster. Runs once; start() calls it too.
     */
    public void recoverFromUncleanStop() throws IOException {
        if (pidFileChecked) {
            return;
        }
        pidFileChecked = true;
        Path pidFile = dataDir.resolve("postmaster.pid");
        Optional<String> content = Files.exists(pidFile)
                ? Optional.of(Files.readString(pidFile, StandardCharsets.UTF_8)) : Optional.empty();
        Optional<ProcessHandle> process = content.flatMap(StalePostmaster::pidOf).flatMap(ProcessHandle::of);
        StalePostmaster.ProcessInfo info = new StalePostmaster.ProcessInfo(
                process.map(ProcessHandle::isAlive).orElse(false),
                process.flatMap(p -> p.info().command()).orElse(null),
                process.flatMap(p -> p.info().arguments()).map(List::of).orElse(List.of()));
        StalePostmaster.Action action = StalePostmaster.decide(content, info, dataDir.toString());
        switch (action) {
            case NONE -> { }
            case LET_POSTGRES_RECOVER -> LOG.warn("{}: {} is left from a server that is no longer running; PostgreSQL will"
                    + " remove it and run crash recovery", name, pidFile);
            case DELETE_PID_FILE -> {
                LOG.warn("{}: {} names pid {} which is not a PostgreSQL server on {}; deleting the stale file", name,
                        pidFile, content.flatMap(StalePostmaster::pidOf).orElse(-1L), dataDir);
                Files.delete(pidFile);
            }
            case STOP_ORPHAN -> stopOrphan(process.orElseThrow());
        }
    }

    /** A postmaster outlived a killed appliance: SIGTERM (smart shutdown, its clients died with it), then SIGKILL. */
    private void stopOrphan(ProcessHandle orphan) {
        LOG.warn("{}: PostgreSQL pid {} is still running on {} from an appliance that did not shut down cleanly;"
                + " stopping it", name, orphan.pid(), dataDir);
        orphan.destroy();
        try {
            orphan.onExit().get(ORPHAN_STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            LOG.warn("{}: pid {} ignored SIGTERM for {} s; killing it", name, orphan.pid(), ORPHAN_STOP_WAIT.toSeconds());
            orphan.destroyForcibly();
            orphan.onExit().join();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping " + orphan.pid(), e);
        }
    }
}
