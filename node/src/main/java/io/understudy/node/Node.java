package io.understudy.node;

import io.understudy.cluster.FailoverOutlook;
import io.understudy.cluster.PrimaryRecord;
import io.understudy.cluster.Role;
import io.understudy.node.api.ApiServer;
import io.understudy.node.api.NodeState;
import io.understudy.node.appfiles.AppFiles;
import io.understudy.node.election.ZkCoordinator;
import io.understudy.node.role.WriteGate;
import io.understudy.node.store.Database;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One running node: its database, HTTP API, role controller and ZooKeeper adapter, wired together. */
public final class Node implements NodeState, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Node.class);
    private static final long ZOOKEEPER_WAIT_MS = 60_000;
    /** Its name under {@code data.dir}; the local appliance reads it there. */
    public static final String SESSION_FILE = "zookeeper-session";

    private final NodeConfig config;
    private final Database db;
    private final NodeController controller;
    private final ApiServer api;
    private final Optional<AppFiles> files;

    private Node(NodeConfig config, Database db, NodeController controller, ApiServer api, Optional<AppFiles> files) {
        this.config = config;
        this.db = db;
        this.controller = controller;
        this.api = api;
        this.files = files;
    }

    /** Opens the database (migrating it), serves the API, and joins the cluster as STARTING. */
    public static Node start(NodeConfig config) throws Exception {
        Files.createDirectories(config.dataDir());
        Database db = Database.open(config.dbUrl(), config.dbUser(), config.dbPassword(), config.dbPoolSize(),
                "node-" + config.nodeId());
        WriteGate gate = new WriteGate(WriteGate.leaseFor(config.zookeeperSessionTimeoutMs()), System::nanoTime);
        Optional<AppFiles> files;
        try {
            files = config.appFiles().enabled() ? Optional.of(AppFiles.start(config.appFiles(), db, config.dataDir()))
                    : Optional.empty();
        } catch (Exception e) {
            db.close();
            throw e;
        }
        NodeController controller = new NodeController(config, db, gate, version(), files);
        files.ifPresent(f -> f.bindMetrics(controller.replication().metrics().registry()));
        Node node = new Node(config, db, controller, null, files);
        ApiServer api = new ApiServer(config.apiHost(), config.apiPort(), db, gate, node, config.maxObjectBytes(),
                config.maxFileBytes(), controller.replication().hooks(), NodeController.quarantine(config));
        node = new Node(config, db, controller, api, files);
        try {
            api.start();
            log.info("node {} serving its API on {}", config.nodeId(), config.apiAdvertisedUrl());
            controller.start(new ZkCoordinator(config.nodeId(), config.clusterName(), config.zookeeperConnect(),
                    config.zookeeperSessionTimeoutMs(), config.zookeeperConnectionTimeoutMs(), controller,
                    sessionFile(config)), ZOOKEEPER_WAIT_MS);
        } catch (Exception e) {
            node.close();
            throw e;
        }
        return node;
    }

    /**
     * Where the node keeps its ZooKeeper session's credentials, so that a supervisor that sees the node's process die
     * can end the session at once (see {@code SessionFile}).
     */
    public static java.nio.file.Path sessionFile(NodeConfig config) {
        return config.dataDir().resolve(SESSION_FILE);
    }

    /** The replication of the application's files directory, when {@code app.filesDir} is set. */
    public Optional<AppFiles> appFiles() {
        return files;
    }

    static String version() {
        String v = Node.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Override
    public String nodeId() {
        return config.nodeId();
    }

    @Override
    public Role role() {
        return controller.role();
    }

    @Override
    public long epoch() {
        return controller.epoch();
    }

    @Override
    public boolean healthy() {
        return controller.healthy();
    }

    @Override
    public Optional<PrimaryRecord> primary() {
        return controller.view().primary();
    }

    @Override
    public Map<String, Object> describe() {
        var member = controller.memberRecord();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("nodeId", config.nodeId());
        body.put("role", member.role().name());
        body.put("epoch", member.epoch());
        body.put("healthy", member.healthy());
        body.put("position", member.position());
        body.put("lagMs", member.lagMs());
        body.put("databaseReachable", db.isReachable());
        body.put("version", member.version());
        body.put("replication", member.replication());
        // why this node may or may not become primary, and whether the cluster as a whole can fail over
        body.put("candidacy", member.candidacy());
        body.put("failover", FailoverOutlook.of(controller.view()));
        files.ifPresent(f -> body.put("files", f.status()));
        return body;
    }

    @Override
    public void close() {
        try {
            controller.close();
        } catch (Exception e) {
            log.warn("error while stopping the controller", e);
        }
        if (api != null) {
            api.close();
        }
        files.ifPresent(AppFiles::close);
        db.close();
        log.info("node {} stopped", config.nodeId());
    }
}
