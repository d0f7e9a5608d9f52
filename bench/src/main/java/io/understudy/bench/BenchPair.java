package io.understudy.bench;

import io.understudy.launcher.ApplianceConfig;
import io.understudy.launcher.ChildConfigs;
import io.understudy.launcher.ChildLauncher;
import io.understudy.launcher.ChildProcess;
import io.understudy.launcher.EmbeddedEnsemble;
import io.understudy.launcher.LocalPostgres;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * What {@link ReplicationBench} measures: ZooKeeper, two PostgreSQL servers, two nodes ({@code a} the primary) and the
 * failover switch in front of them. ZooKeeper and PostgreSQL are started as {@code understudy local} starts them; each
 * node and the switch runs in a JVM of its own, started as {@code understudy local} starts it (the same JVM options and
 * command line, the appliance's configuration keys and values; the nodes' files add the bench's few keys). So what is
 * measured is the product as shipped: a node's garbage collections and JIT are its own, not the bench's, and writes
 * through the switch pay a loopback hop into another process and back.
 */
final class BenchPair implements AutoCloseable {

    /** Understudy's table for the async stages; in the nodes' replication scope, so the secondary copies it. */
    static final String OURS = "benchrep.rows";

    /** How long a node gets to stop after SIGTERM before it is killed, as the appliance gives it. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);

    private final ApplianceConfig config;
    private final String mode;
    private final String classpath = childClasspath();
    private final BenchClient http = new BenchClient(Duration.ofSeconds(2));
    EmbeddedEnsemble zk;
    LocalPostgres pgA;
    LocalPostgres pgB;
    ChildProcess a;
    ChildProcess b;
    Process switchProcess;
    String primaryUrl;
    String secondaryUrl;
    String switchUrl;
    DataSource primaryDb;

    private BenchPair(ApplianceConfig config, String mode) {
        this.config = config;
        this.mode = mode;
    }

    static BenchPair start(ApplianceConfig config, String mode) throws Exception {
        BenchPair p = new BenchPair(config, mode);
        try {
            p.zk = EmbeddedEnsemble.forAppliance(config);
            p.zk.start(Duration.ofMinutes(1));
            p.pgA = new LocalPostgres("postgres-a", config.postgresDir("a"), config.pgPort("a"), config.logDir().resolve("pg-a.log"));
            p.pgB = new LocalPostgres("postgres-b", config.postgresDir("b"), config.pgPort("b"), config.logDir().resolve("pg-b.log"));
            p.pgA.start();
            p.pgB.start();
            p.primaryDb = p.pgA.dataSource();
            NativeReplication.exec(p.primaryDb, "CREATE SCHEMA benchrep");
            NativeReplication.exec(p.primaryDb, "CREATE TABLE " + OURS + " (id bigint PRIMARY KEY, body bytea,"
                    + " src_at timestamptz NOT NULL DEFAULT clock_timestamp())");
            p.a = p.startNode("a");
            p.primaryUrl = config.nodeApiUrl("a");
            await("a primary", () -> p.http.get(p.primaryUrl + "/primary") != null);
            p.startSecondary();
            p.secondaryUrl = config.nodeApiUrl("b");
            await("b streaming", () -> p.http.get(p.secondaryUrl + "/replica") != null);
            p.startSwitch();
            p.switchUrl = config.switchUrl();
            await("a write through the switch", () -> p.http.put(p.switchUrl + "/api/objects/attached", "{}") / 100 == 2);
            return p;
        } catch (Exception | Error e) {
            p.close();
            throw e;
        }
    }

    private void startSecondary() {
        b = startNode("b");
    }

    /**
     * Node {@code id} in its own JVM, as the appliance starts it; its output goes to {@code node-<id>.log} in the log dir.
     * An exit not asked for is logged by {@link ChildProcess} (at ERROR), and the bench's next wait on it times out.
     */
    private ChildProcess startNode(String id) {
        ChildConfigs.write(ChildConfigs.nodeFile(config, id), "node " + id + ", written by the replication bench", nodeConfig(id));
        return ChildLauncher.startNode(config, classpath, config.dataDir().resolve("run"), id, (child, code) -> { });
    }

    /** The switch as the local appliance runs it; it needs an admin token, as the appliance's has one. */
    private void startSwitch() throws Exception {
        Files.createDirectories(config.confDir());
        Files.createDirectories(config.logDir());
        Files.writeString(config.confDir().resolve("admin-token"), UUID.randomUUID() + "\n");
        switchProcess = SwitchBench.startShippedSwitch(config, config.switchPort(), classpath, config.logDir());
    }

    DataSource secondaryDb() {
        return pgB.dataSource();
    }

    /** The appliance's node configuration plus the bench's keys. */
    private Map<String, String> nodeConfig(String id) {
        Map<String, String> m = ChildConfigs.node(config, id);
        m.put("db.poolSize", "16");
        m.put("replication.mode", mode);
        m.put("replication.syncTimeoutMs", "5000");
        m.put("replication.include", "benchrep.*");
        // A shared machine stalls processes for seconds; an expired session would re-elect and resync mid-stage.
        m.put("zookeeper.sessionTimeoutMs", "15000");
        return m;
    }

    /** The bench's classpath for the children, its entries absolute: the appliance's children run in its data dir. */
    private static String childClasspath() {
        String classpath = System.getProperty("understudy.classpath", System.getProperty("java.class.path"));
        return Arrays.stream(classpath.split(File.pathSeparator)).filter(entry -> !entry.isEmpty())
                .map(entry -> Path.of(entry).toAbsolutePath().toString()).collect(Collectors.joining(File.pathSeparator));
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        await(what, done, 100);
    }

    private static void await(String what, BooleanSupplier done, long pollMs) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(pollMs); // polling a condition with a bound
        }
    }

    @Override
    public void close() {
        if (switchProcess != null) {
            switchProcess.destroy();
            try {
                if (!switchProcess.waitFor(30, TimeUnit.SECONDS)) {
                    switchProcess.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (ChildProcess node : new ChildProcess[] {b, a}) {
            if (node != null) {
                node.stop(STOP_GRACE);
            }
        }
        for (AutoCloseable c : new AutoCloseable[] {pgB, pgA, zk}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                System.err.println("closing " + c + ": " + e);
            }
        }
    }
}
