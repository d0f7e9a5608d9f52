package io.understudy.chaos;

import io.understudy.launcher.ApplianceConfig;
import io.understudy.launcher.LocalAppliance;
import io.understudy.launcher.LocalPostgres;
import io.understudy.launcher.testapp.TestAppStore;
import io.understudy.workload.AppChecker;
import io.understudy.workload.AppWrites;
import io.understudy.workload.Bodies;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The test application ({@code understudy testapp}) behind every node of a chaos appliance, as a user would put their
 * own: each node runs it (warm, {@code app.runOn=all}) on a loopback port of its own and fronts it through its
 * gateway, fences its role ({@code app.dbUser}), replicates its schema ({@code replication.include}) and its files
 * directory ({@code app.filesDir}, one per node on this one machine). Also reads, for the checker, what each node
 * holds of it: rows from the node's own database, files from the node's own directory.
 */
public final class TestAppNodes {

    /** The application's database role. */
    public static final String ROLE = "testapp";
    /** SQLSTATE of a schema change refused while a secondary takes a fresh copy. */
    private static final String COPY_IN_PROGRESS = "55P03";
    private static final Logger LOG = LoggerFactory.getLogger(TestAppNodes.class);

    private final ApplianceConfig config;
    private final Map<String, Integer> appPorts = new LinkedHashMap<>();
    private final Map<String, Integer> gatewayPorts = new LinkedHashMap<>();

    public TestAppNodes(ApplianceConfig config) {
        this.config = config;
        for (String id : config.nodeIds()) {
            appPorts.put(id, FreePorts.port());
            gatewayPorts.put(id, FreePorts.port());
        }
    }

    /**
     * Sets every node's application keys; the application runs from {@code classpath} (the shaded jar, or the
     * classpath the nodes run from).
     */
    public LocalAppliance configure(LocalAppliance appliance, String classpath) throws IOException {
        appliance.nodeSetting("app.dbUser", ROLE)
                .nodeSetting("app.runOn", "all")
                .nodeSetting("replication.include", "testapp.*");
        // The node starts the application in a directory of its own: a relative classpath would name nothing there.
        String absolute = Stream.of(classpath.split(File.pathSeparator)).map(e -> Path.of(e).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String id : config.nodeIds()) {
            Files.createDirectories(filesDir(id));
            appliance.nodeSetting(id, "app.url", "http://" + ApplianceConfig.HOST + ":" + appPorts.get(id))
                    .nodeSetting(id, "app.gatewayPort", Integer.toString(gatewayPorts.get(id)))
                    .nodeSetting(id, "app.filesDir", filesDir(id).toString())
                    .nodeSetting(id, "app.command", "exec " + quote(java) + " -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"
                            + " -cp " + quote(absolute) + " io.understudy.launcher.UnderstudyCli testapp --name " + id
                            + " --host " + ApplianceConfig.HOST + " --port " + appPorts.get(id) + " --db-url " + dbUrl(id)
                            + " --db-user " + ROLE + " --files-dir " + quote(filesDir(id).toString()));
        }
        return appliance;
    }

    /**
     * The application's role on every node's server (roles are not replicated), then its schema on the primary,
     * which replicates it to the secondaries; waits out a secondary's fresh copy, which refuses schema changes.
     */
    public void provision(ChaosCluster cluster, Duration timeout) throws SQLException, InterruptedException {
        for (String id : config.nodeIds()) {
            TestAppStore.provisionRole(dbUrl(id), LocalPostgres.SUPERUSER, "", ROLE);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String primary = cluster.primary();
            try {
                TestAppStore.provisionSchema(dbUrl(primary), LocalPostgres.SUPERUSER, "", ROLE);
                LOG.info("test application's schema created on primary {}", primary);
                return;
            } catch (SQLException e) {
                if (!COPY_IN_PROGRESS.equals(e.getSQLState()) || System.nanoTime() - deadline > 0) {
                    throw e;
                }
                LOG.info("a secondary is copying; creating the schema again in a second ({})", e.getMessage());
                Thread.sleep(1000); // a retry interval while the copy runs, not synchronisation
            }
        }
    }

    /**
     * What node {@code nodeId} holds of the run {@code prefix} from write {@code fromSeq} on: rows and files of
     * earlier writes are left out, except files whose names are not the run's (they are always judged).
     *
     * @throws IOException when its database or directory cannot be read
     */
    public AppChecker.Holdings holdings(String nodeId, String prefix, long fromSeq) throws IOException {
        Map<String, List<Long>> rows = new HashMap<>();
        try (Connection c = DriverManager.getConnection(dbUrl(nodeId), LocalPostgres.SUPERUSER, "");
             PreparedStatement ps = c.prepareStatement("SELECT id, body FROM " + TestAppStore.TABLE
                     + " WHERE body COLLATE \"C\" >= ? AND body COLLATE \"C\" < ?")) {
            ps.setString(1, AppWrites.rowBodyOf(prefix, fromSeq));
            ps.setString(2, AppWrites.rowBodyOf(prefix, 999_999_999L));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.computeIfAbsent(rs.getString(2), b -> new ArrayList<>(1)).add(rs.getLong(1));
                }
            }
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) {
                return new AppChecker.Holdings(rows, files(nodeId, prefix, fromSeq)); // no table yet: nothing replicated
            }
            throw new IOException("node " + nodeId + "'s database: " + e.getMessage(), e);
        }
        return new AppChecker.Holdings(rows, files(nodeId, prefix, fromSeq));
    }

    private Map<String, String> files(String nodeId, String prefix, long fromSeq) throws IOException {
        Map<String, String> tags = new HashMap<>();
        try (Stream<Path> entries = Files.list(filesDir(nodeId))) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                Optional<Long> seq = AppWrites.seqOf(prefix, name);
                if (seq.isPresent() && seq.get() < fromSeq) {
                    continue;
                }
                try {
                    tags.put(name, Files.isRegularFile(entry) ? Bodies.tag(Files.readAllBytes(entry)) : "not a regular file");
                } catch (java.nio.file.NoSuchFileException e) {
                    // gone between the listing and the read: a temp file renamed or removed meanwhile
                }
            }
        }
        return tags;
    }

    public Path filesDir(String nodeId) {
        return config.dataDir().resolve("appfiles").resolve(nodeId);
    }

    private String dbUrl(String nodeId) {
        return "jdbc:postgresql://" + ApplianceConfig.HOST + ":" + config.pgPort(nodeId) + "/postgres";
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
