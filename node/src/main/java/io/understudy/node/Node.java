package io.understudy.node;

import io.understudy.cluster.ClusterJson;
import io.understudy.cluster.FailoverOutlook;
import io.understudy.cluster.PrimaryRecord;
import io.understudy.cluster.Role;
import io.understudy.node.api.ApiServer;
import io.understudy.node.api.ApiWarmUp;
import io.understudy.node.api.AppGateway;
import io.understudy.node.api.NodeState;
import io.understudy.node.app.AppWriteBarrier;
import io.understudy.node.app.SyncBarrier;
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

/**
 * One running node: its database, HTTP API, application gateway (with {@code app.url}), role controller and ZooKeeper
 * adapter, wired together.
 */
public final class Node implements NodeState, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Node.class);
    private static final long ZOOKEEPER_WAIT_MS = 60_000;
    /** Its name under {@code data.dir}; the local appliance reads it there. */
    public static final String SESSION_FILE = "zookeeper-session";

    private final NodeConfig config;
    private final Database db;
    private final NodeController controller;
    private final ApiServer api;
    private final RoleWork work;
    /** Null when the node fronts no application. */
    private final AppGateway gateway;
    private final Optional<AppFiles> files;

    private Node(NodeConfig config, Database db, NodeController controller, ApiServer api, RoleWork work, AppGateway gateway,
                 Optional<AppFiles> files) {
        this.config = config;
        this.db = db;
        this.controller = controller;
        this.api = api;
        this.work = work;
        this.gateway = gateway;
        this.files = files;
    }

    /** Opens the database (migrating it), serves the API, and joins the cluster as STARTING. */
    public static Node start(NodeConfig config) throws Exception {
        return start(config, () -> { });
    }

    /**
     * Opens the database (migrating it), serves the API, and joins the cluster as STARTING.
     *
     * @param onRemoved run once if the cluster removes this node while it runs (it has stopped serving by then)
     * @throws io.understudy.node.election.NodeRemovedException when the cluster removed this node before
     */
    public static Node start(NodeConfig config, Runnable onRemoved) throws Exception {
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
        controller.onRemoved(onRemoved);
        RoleWork work = RoleWork.create(config, db, gate, controller);
        Node node = new Node(config, db, controller, null, work, null, files);
        ApiServer api = new ApiServer(config.apiHost(), config.apiPort(), db, gate, node, config.maxObjectBytes(),
                config.maxFileBytes(), controller.replication().hooks(), NodeController.quarantine(config),
                config.security().apiAccess());
        AppGateway gateway = config.app().enabled()
                ? new AppGateway(config.app(), gate, node, controller.replication().hooks(),
                        writeBarrier(controller, gate, files), db)
                : null;
        node = new Node(config, db, controller, api, work, gateway, files);
        try {
            api.start();
            log.info("node {} serving its API on {}", config.nodeId(), config.apiAdvertisedUrl());
            ApiWarmUp.start(config.apiHost(), config.apiPort(), config.security().apiToken(), () -> {
                api.rehearseWrites();
                controller.replication().app().previewSequences();
                ClusterJson.prepareHandOverRecords();
            });
            if (gateway != null) {
                gateway.start();
                log.info("node {} fronting the application at {} on {}", config.nodeId(), config.app().url(),
                        config.app().advertisedUrl());
            }
            ZkCoordinator zk = new ZkCoordinator(config.nodeId(), config.clusterName(), config.zookeeperConnect(),
                    config.zookeeperSessionTimeoutMs(), config.zookeeperConnectionTimeoutMs(), controller,
                    sessionFile(config), config.security().zookeeperAuth());
            controller.start(zk, ZOOKEEPER_WAIT_MS);
            work.start(zk);
        } catch (Exception e) {
            node.close();
            throw e;
        }
        return node;
    }

    /**
     * What a write the application answered must pass before the gateway relays the answer: first the capture of the
     * application's files (none yet: {@link AppWriteBarrier#NONE}), then, in sync mode, a secondary's confirmation.
     */
    /** The application's files captured first (when {@code app.filesDir} is set), then the sync-mode wait. */
    private static AppWriteBarrier writeBarrier(NodeController controller, WriteGate gate, Optional<AppFiles> files) {
        AppWriteBarrier capture = files.<AppWriteBarrier>map(f -> epoch -> {
            try {
                f.flush(epoch);
            } catch (AppFiles.FlushException e) {
                throw new AppWriteBarrier.NotDurable(e.getMessage());
            }
        }).orElse(AppWriteBarrier.NONE);
        return capture.then(new SyncBarrier(controller.replication().hooks(), gate));
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
        work.stopWhileHoldingRole();
        try {
            controller.close();
        } catch (Exception e) {
            log.warn("error while stopping the controller", e);
        }
        work.stopAfterLeaving();
        if (gateway != null) {
            gateway.close();
        }
        if (api != null) {
            api.close();
        }
        files.ifPresent(AppFiles::close);
        db.close();
        log.info("node {} stopped", config.nodeId());
    }
}
