package io.understudy.node;

import io.micrometer.core.instrument.MeterRegistry;
import io.understudy.node.duties.DutyRunner;
import io.understudy.node.duties.Retention;
import io.understudy.node.election.ZkCoordinator;
import io.understudy.node.hooks.HookRunner;
import io.understudy.node.role.WriteGate;
import io.understudy.node.store.Database;
import io.understudy.node.supervise.AppSupervisor;
import io.understudy.node.supervise.CommandEnv;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What runs beside the node's role, each on threads of its own and told of role changes by {@link Transitions}:
 * the primary-only duties and retention ({@link DutyRunner}), the supervised application ({@link AppSupervisor},
 * when {@code app.command} is set) and the role hooks ({@link HookRunner}).
 *
 * <p>Stopping comes in two steps around the controller's: duties and the application stop while the node still
 * holds its role (a primary's duty runs end before another node can take the epoch over and run them again);
 * onStop runs after the node has left the cluster, so a slow hook does not delay the failover.
 */
final class RoleWork {

    private static final Logger log = LoggerFactory.getLogger(RoleWork.class);

    private final DutyRunner duties;
    private final AppSupervisor app;
    private final HookRunner hooks;

    private RoleWork(DutyRunner duties, AppSupervisor app, HookRunner hooks) {
        this.duties = duties;
        this.app = app;
        this.hooks = hooks;
    }

    /** Builds them and registers them with the controller, before it starts. */
    static RoleWork create(NodeConfig config, Database db, WriteGate gate, NodeController controller) {
        MeterRegistry metrics = controller.replication().metrics().registry();
        CommandEnv env = new CommandEnv(System.getenv(), config.nodeId(), config.clusterName(),
                config.dataDir().toAbsolutePath().toString(), config.dbUrl(), config.dbUser(), config.dbPassword());
        DutyRunner duties = new DutyRunner(config.duties().duties(), config.nodeId(), gate, env,
                () -> controller.view().settings(), new Retention(db, gate, metrics), metrics);
        AppSupervisor app = config.supervision().enabled() ? new AppSupervisor(config.supervision(), env, config.nodeId(), metrics) : null;
        HookRunner hooks = new HookRunner(config.hooks(), env, config.nodeId(), metrics);
        controller.observeRoles(duties);
        if (app != null) {
            controller.observeRoles(app);
        }
        controller.observeRoles(hooks);
        return new RoleWork(duties, app, hooks);
    }

    /** Once the node is connected to ZooKeeper. */
    void start(ZkCoordinator zk) {
        duties.start(zk.client(), zk.paths());
    }

    /** Stops duty runs (recorded as interrupted) and the application; blocks up to their grace periods. */
    void stopWhileHoldingRole() {
        try {
            duties.close();
            if (app != null) {
                app.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("error while stopping duties or the application", e);
        }
    }

    /** Runs onStop, if set, and waits for it up to {@code hooks.timeoutMs}. */
    void stopAfterLeaving() {
        try {
            hooks.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
