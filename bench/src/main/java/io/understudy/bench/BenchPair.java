package io.understudy.bench;

import io.understudy.cluster.ReplicationInfo;
import io.understudy.cluster.config.Settings;
import io.understudy.launcher.ApplianceConfig;
import io.understudy.launcher.EmbeddedEnsemble;
import io.understudy.launcher.LocalPostgres;
import io.understudy.node.Node;
import io.understudy.node.NodeConfig;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;

/**
 * What {@link ReplicationBench} measures: ZooKeeper, two PostgreSQL servers, two nodes ({@code a} the primary) and the
 * failover switch in front of them. The nodes run in the bench's JVM; the switch runs in a JVM of its own, started as
 * {@code understudy local} starts it (the same configuration keys and values, the same JVM options), so writes through
 * it pay what users' writes pay: a loopback hop into another process and back.
 */
final class BenchPair implements AutoCloseable {

    /** Understudy's table for the async stages; in the nodes' replication scope, so the secondary copies it. */
    static final String OURS = "benchrep.rows";

    private final ApplianceConfig config;
    private final String mode;
    private final BenchClient http = new BenchClient(Duration.ofSeconds(2));
    EmbeddedEnsemble zk;
    LocalPostgres pgA;
    LocalPostgres pgB;
    Node a;
    Node b;
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
            p.a = Node.start(p.nodeConfig("a", p.pgA));
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

    private void startSecondary() throws Exception {
        b = Node.start(nodeConfig("b", pgB));
    }

    /** The switch as the local appliance runs it; it needs an admin token, as the appliance's has one. */
    private void startSwitch() throws Exception {
        Files.createDirectories(config.confDir());
        Files.createDirectories(config.logDir());
        Files.writeString(config.confDir().resolve("admin-token"), UUID.randomUUID() + "\n");
        String classpath = System.getProperty("understudy.classpath", System.getProperty("java.class.path"));
        switchProcess = SwitchBench.startShippedSwitch(config, config.switchPort(), classpath, config.logDir());
    }

    /** Stops the secondary node cleanly: its stream ends, its slot on the primary keeps every change from now on. */
    void stopSecondary() {
        b.close();
        b = null;
    }

    /**
     * Starts the secondary again on its data dir; it resumes its stream from its slot. Returns once the stream is
     * {@code STREAMING} again (the node's own state, read in this JVM every millisecond), so what follows is the
     * apply, not the start-up.
     */
    long restartSecondary() throws Exception {
        startSecondary();
        Node node = b;
        await("b streaming again", () -> node.describe().get("replication") instanceof ReplicationInfo r
                && r.state().equals("STREAMING"), 1);
        return System.nanoTime();
    }

    DataSource secondaryDb() {
        return pgB.dataSource();
    }

    private NodeConfig nodeConfig(String id, LocalPostgres pg) {
        Map<String, String> m = new HashMap<>();
        m.put("node.id", id);
        m.put("cluster.name", config.clusterName());
        m.put("zookeeper.connect", config.zookeeperConnect());
        m.put("api.port", Integer.toString(config.nodeApiPort(id)));
        m.put("db.url", pg.jdbcUrl());
        m.put("db.poolSize", "16");
        m.put("data.dir", config.nodeDataDir(id).toString());
        m.put("replication.mode", mode);
        m.put("replication.syncTimeoutMs", "5000");
        m.put("replication.include", "benchrep.*");
        // A shared machine stalls processes for seconds; an expired session would re-elect and resync mid-stage.
        m.put("zookeeper.sessionTimeoutMs", "15000");
        return NodeConfig.from(Settings.of("bench node " + id, m));
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
        for (AutoCloseable c : new AutoCloseable[] {b, a, pgB, pgA, zk}) {
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
