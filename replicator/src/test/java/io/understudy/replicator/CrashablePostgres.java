package io.understudy.replicator;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real PostgreSQL server (logical WAL, synchronous commit on) that a test can crash like the OOM killer would
 * ({@code kill -9} of the postmaster and every backend) and start again on the same data directory and port, so
 * that PostgreSQL runs crash recovery and clients reconnect to the same address.
 */
final class CrashablePostgres implements AutoCloseable {

    private final Path dataDir;
    private final int port;
    private EmbeddedPostgres server;

    CrashablePostgres(Path dataDir) throws IOException {
        this.dataDir = dataDir.toAbsolutePath();
        this.port = freePort();
        start();
    }

    void start() throws IOException {
        // WAL buffers large enough that a backlog's unflushed commits stay in memory while the WAL writer is stopped:
        // then a crash certainly loses them (written WAL would survive a kill -9 in the OS's cache).
        server = PgPair.builder().setServerConfig("wal_buffers", "64MB").setDataDirectory(dataDir).setCleanDataDirectory(false)
                .setPort(port).start();
    }

    /** SIGKILL to the postmaster and all its children; waits until every one is gone. */
    void crash() throws IOException, InterruptedException {
        String pidFile = Files.readString(dataDir.resolve("postmaster.pid"), StandardCharsets.UTF_8);
        long pid = Long.parseLong(pidFile.lines().findFirst().orElseThrow().trim());
        ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("postmaster " + pid + " is not running"));
        List<ProcessHandle> all = new ArrayList<>(postmaster.descendants().toList());
        all.add(0, postmaster);
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle p : all) {
            try {
                p.onExit().get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("pid " + p.pid() + " survived SIGKILL", e);
            }
        }
        try {
            server.close(); // releases zonky's data-dir lock; its pg_ctl stop finds no server
        } catch (IOException expected) {
            // the server is already dead
        }
        server = null;
    }

    EmbeddedPostgres server() {
        return server;
    }

    int port() {
        return port;
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    @Override
    public void close() throws IOException {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
