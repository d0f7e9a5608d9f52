package io.understudy.failoverswitch;

import io.understudy.failoverswitch.admin.AdminHandler;
import io.understudy.failoverswitch.admin.StatusReport;
import io.understudy.failoverswitch.proxy.BackendPoolSettings;
import io.understudy.failoverswitch.proxy.ForwardingHandler;
import io.understudy.failoverswitch.proxy.PrimaryProxyClient;
import io.understudy.failoverswitch.routing.RouteDecider;
import io.understudy.failoverswitch.routing.ZkLink;
import io.understudy.failoverswitch.zk.ClusterFollower;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The failover switch: an HTTP listener that forwards every request to the live primary named
 * in ZooKeeper, holds requests while there is none, and answers {@code /_understudy/*} itself.
 *
 * <p>Threading: ZooKeeper callbacks only enqueue onto one event thread, which alone decides the
 * route and swaps the backend; IO threads read the current backend and never block.
 */
public final class SwitchServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SwitchServer.class);

    private final SwitchConfig config;
    private final PrimaryProxyClient proxyClient;
    private final ExecutorService events;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile ClusterFollower follower;
    private volatile Undertow undertow;

    private SwitchServer(SwitchConfig config) {
        this.config = config;
        this.proxyClient = new PrimaryProxyClient(BackendPoolSettings.DEFAULTS, config.holdTimeoutMs(),
                config.maxHeldRequests());
        this.events = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "switch-events");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Connects to ZooKeeper, then starts listening. Fails (leaving nothing running) when ZooKeeper
     * cannot be reached within the connection timeout or the port cannot be bound.
     */
    public static SwitchServer start(SwitchConfig config) throws Exception {
        SwitchServer server = new SwitchServer(config);
        try {
            server.follower = ClusterFollower.start(config.clusterName(), config.zookeeperConnect(),
                    config.zkSessionTimeoutMs(), config.zkConnectionTimeoutMs(), server::enqueueRecompute);
            server.enqueueRecompute();
            server.undertow = Undertow.builder()
                    .addHttpListener(config.port(), config.host())
                    .setIoThreads(config.ioThreads())
                    .setWorkerThreads(Math.max(2, config.ioThreads()))
                    .setHandler(server.rootHandler())
                    .build();
            server.undertow.start();
        } catch (Exception | Error e) {
            server.close();
            throw e;
        }
        log.info("switch listening on http://{}:{} for cluster '{}' (zookeeper {})", config.host(), server.port(),
                config.clusterName(), config.zookeeperConnect());
        return server;
    }

    private HttpHandler rootHandler() {
        AdminHandler admin = new AdminHandler(this::status, this::zkLink);
        ForwardingHandler forwarding = new ForwardingHandler(proxyClient, config.backendTimeoutMs());
        return exchange -> {
            if (AdminHandler.owns(exchange.getRelativePath())) {
                admin.handleRequest(exchange);
            } else {
                forwarding.handleRequest(exchange);
            }
        };
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
            proxyClient.apply(RouteDecider.decide(now.view(), now.link()));
        } catch (RuntimeException e) {
            log.error("cannot apply the cluster view; keeping the previous route", e);
        }
    }

    /** The port the switch listens on (the real one when configured with 0). */
    public int port() {
        return ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
    }

    public StatusReport status() {
        ClusterFollower now = follower;
        return StatusReport.of(config.clusterName(), now.view(), now.link(), proxyClient.decision(),
                proxyClient.holds().size());
    }

    private ZkLink zkLink() {
        ClusterFollower now = follower;
        return now == null ? ZkLink.CONNECTING : now.link();
    }

    /** Answers held requests with 503, stops listening, disconnects from ZooKeeper. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        proxyClient.close();
        if (undertow != null) {
            undertow.stop();
        }
        events.shutdownNow();
        if (follower != null) {
            follower.close();
        }
        log.info("switch stopped");
    }
}
