package io.understudy.failoverswitch;

import io.understudy.cluster.ClusterSettings;
import io.understudy.cluster.ClusterView;
import io.understudy.cluster.CommandRecord;
import io.understudy.cluster.FailoverOutlook;
import io.understudy.cluster.HistoryRecord;
import io.understudy.cluster.zk.SettingsZnode;
import io.understudy.failoverswitch.admin.AdminHandler;
import io.understudy.failoverswitch.admin.AdminWarmUp;
import io.understudy.failoverswitch.admin.MembersHandler;
import io.understudy.failoverswitch.admin.StatusReport;
import io.understudy.failoverswitch.http.Drain;
import io.understudy.failoverswitch.http.HeadSize;
import io.understudy.failoverswitch.http.Listener;
import io.understudy.failoverswitch.metrics.SwitchMetrics;
import io.understudy.failoverswitch.proxy.Forwarder;
import io.understudy.failoverswitch.proxy.HoldQueue;
import io.understudy.failoverswitch.proxy.PrimaryRouter;
import io.understudy.failoverswitch.routing.RouteDecider;
import io.understudy.failoverswitch.routing.ZkLink;
import io.understudy.failoverswitch.zk.ClusterFollower;
import io.undertow.Undertow;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.HttpContinueReadHandler;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The failover switch: a client listener that forwards every request to the live primary named
 * in ZooKeeper, holds requests while there is none, retries what is safe to retry, and answers
 * {@code /_understudy/*} itself.
 *
 * <p>Threading: ZooKeeper callbacks only enqueue onto one event thread, which alone decides the
 * route and swaps the backend; IO threads read the current backend and never block.
 */
public final class SwitchServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SwitchServer.class);
    /** How long a draining switch must see no request before it stops. */
    static final long DRAIN_QUIET_MS = 500;

    private final SwitchConfig config;
    private final SwitchMetrics metrics = new SwitchMetrics();
    private final PrimaryRouter router;
    private final Forwarder forwarder;
    private final ExecutorService events;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile ClusterFollower follower;
    private volatile Undertow undertow;
    private volatile Drain drain;

    private SwitchServer(SwitchConfig config) {
        this.config = config;
        SwitchConfig.Limits limits = config.limits();
        this.router = new PrimaryRouter(limits.backendIdlePerThread(),
                new HoldQueue.Bounds(limits.holdTimeoutMs(), limits.maxHeldRequests()), metrics, metrics::primaryChanged);
        this.forwarder = new Forwarder(router, limits, config.trustForwarded(), config.nodeToken(), metrics);
        metrics.bind(router.holds()::size, forwarder::bufferedBytes);
        metrics.bindCandidates(() -> {
            ClusterFollower now = follower;
            return now == null ? 0 : FailoverOutlook.of(now.view()).eligible().size();
        });
        this.events = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "switch-events");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Connects to ZooKeeper, then starts listening. Fails (leaving nothing running) when ZooKeeper
     * cannot be reached within the start-up wait (see {@link ClusterFollower#start}) or the port
     * cannot be bound.
     */
    public static SwitchServer start(SwitchConfig config) throws Exception {
        SwitchServer server = new SwitchServer(config);
        try {
            server.follower = ClusterFollower.start(config.clusterName(), config.zookeeperConnect(),
                    config.zkSessionTimeoutMs(), config.zkConnectionTimeoutMs(), config.zookeeperAuth(), server::enqueueRecompute);
            server.enqueueRecompute();
            server.undertow = Listener.build(config, server.rootHandler());
            server.undertow.start();
            // run now rather than inside the first switchover, where the first command is written and read
            AdminWarmUp.start(config.host(), server.port(), config.adminToken(), config.tls() != null);
        } catch (Exception | Error e) {
            server.close();
            throw e;
        }
        log.info("switch listening on {}://{}:{} for cluster '{}' (zookeeper {}; {})", config.tls() == null ? "http"
                : "https", config.host(), server.port(), config.clusterName(), config.zookeeperConnect(), config);
        return server;
    }

    private HttpHandler rootHandler() {
        AdminHandler admin = new AdminHandler(new AdminView(), config.adminToken(),
                new MembersHandler(new MembersView(), config.adminToken()));
        ExchangeCompletionListener counting = (exchange, next) -> {
            metrics.responded(exchange.getStatusCode());
            next.proceed();
        };
        int maxHead = config.limits().maxHeaderBytes();
        HttpHandler routing = exchange -> {
            exchange.addExchangeCompleteListener(counting);
            if (!HeadSize.admit(exchange, maxHead)) {
                return;
            }
            if (AdminHandler.owns(exchange.getRelativePath())) {
                admin.handleRequest(exchange);
            } else {
                forwarder.handleRequest(exchange);
            }
        };
        // answers "Expect: 100-continue" itself when the body is first read
        drain = new Drain(new HttpContinueReadHandler(routing));
        return drain;
    }

    private void enqueueRecompute() {
        try {
            events.execute(this::recompute);
        } catch (RejectedExecutionException e) {
            // closing: the route no longer matters
        }
    }

    /** Event thread only. */
    private void recompute() {
        ClusterFollower now = follower;
        if (now == null) {
            return;
        }
        try {
            ClusterView view = now.view();
            ZkLink link = now.link();
            boolean current = link == ZkLink.CONNECTED || link == ZkLink.SUSPENDED;
            router.apply(RouteDecider.explained(RouteDecider.decide(view, link), view, link),
                    current && RouteDecider.handOverPending(view));
        } catch (RuntimeException e) {
            log.error("cannot apply the cluster view; keeping the previous route", e);
        }
    }

    /** Whether a graceful stop has begun. */
    boolean draining() {
        Drain requests = drain;
        return requests != null && requests.draining();
    }

    /** The port the switch listens on (the real one when configured with 0). */
    public int port() {
        return ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
    }

    /** Status without history (no ZooKeeper read); any thread. */
    public StatusReport status() {
        ClusterFollower now = follower;
        return StatusReport.of(config.clusterName(), now.view(), now.link(), router.decision(), router.holds().size(),
                List.of());
    }

    private ZkLink zkLink() {
        ClusterFollower now = follower;
        return now == null ? ZkLink.CONNECTING : now.link();
    }

    /**
     * The stop of a running switch process (SIGTERM): stops accepting connections, keeps forwarding
     * what arrives on the open ones with {@code Connection: close} until nothing is in flight and no
     * request has come for {@value #DRAIN_QUIET_MS} ms (at most the hold timeout and two seconds more),
     * then {@link #close() closes}. Clients are answered, not cut off, and reconnect to another switch.
     */
    public void stopGracefully() {
        stopGracefully(DRAIN_QUIET_MS);
    }

    void stopGracefully(long quietMs) {
        Undertow listening = undertow;
        Drain requests = drain;
        if (listening == null || requests == null || closed.get()) {
            close();
            return;
        }
        requests.begin(listening);
        long maxMs = config.limits().holdTimeoutMs() + 2000L + quietMs;
        log.info("switch stopping: no new connections, {} request(s) in flight, open connections close after their"
                + " next answer (waiting up to {} ms)", requests.inFlight(), maxMs);
        try {
            boolean idle = requests.awaitIdle(quietMs, maxMs);
            log.info(idle ? "switch drained" : "switch not idle after {} ms ({} request(s) in flight); stopping anyway",
                    maxMs, requests.inFlight());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
    }

    /** Answers held requests with 503, stops listening, disconnects from ZooKeeper. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        router.close();
        if (undertow != null) {
            undertow.stop();
        }
        events.shutdownNow();
        if (follower != null) {
            follower.close();
        }
        log.info("switch stopped");
    }

    private final class MembersView implements MembersHandler.Cluster {
        @Override
        public ClusterView view() {
            return follower.view();
        }

        @Override
        public List<HistoryRecord> recentHistory(int max) {
            return follower.recentHistory(max);
        }

        @Override
        public String submit(CommandRecord command) throws Exception {
            return follower.submit(command);
        }

        @Override
        public boolean readmit(String nodeId) throws Exception {
            return follower.readmit(nodeId);
        }

        @Override
        public String identity() {
            return "switch@" + config.host() + ":" + port();
        }
    }

    private final class AdminView implements AdminHandler.Switch {
        @Override
        public StatusReport status(int historyEntries) {
            ClusterFollower now = follower;
            return StatusReport.of(config.clusterName(), now.view(), now.link(), router.decision(),
                    router.holds().size(), now.recentHistory(historyEntries));
        }

        @Override
        public ZkLink link() {
            return zkLink();
        }

        @Override
        public ClusterView view() {
            return follower.view();
        }

        @Override
        public String submit(CommandRecord command) throws Exception {
            return follower.submit(command);
        }

        @Override
        public String metrics() {
            return metrics.scrape();
        }

        @Override
        public String identity() {
            return "switch@" + config.host() + ":" + port();
        }

        @Override
        public List<HistoryRecord> history(int max) {
            return follower.recentHistory(max);
        }

        @Override
        public String appendHistory(HistoryRecord record) throws Exception {
            return follower.appendHistory(record);
        }

        @Override
        public SettingsZnode.Update updateSettings(UnaryOperator<ClusterSettings> change) throws Exception {
            return follower.updateSettings(change);
        }
    }
}
