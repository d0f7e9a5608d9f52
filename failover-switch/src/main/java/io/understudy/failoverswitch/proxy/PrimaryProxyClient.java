package io.understudy.failoverswitch.proxy;

import io.understudy.failoverswitch.routing.RouteDecision;
import io.understudy.failoverswitch.routing.RouteDecision.NoPrimary;
import io.understudy.failoverswitch.routing.RouteDecision.Route;
import io.undertow.client.UndertowClient;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.proxy.ProxyCallback;
import io.undertow.server.handlers.proxy.ProxyClient;
import io.undertow.server.handlers.proxy.ProxyConnection;
import io.undertow.util.AttachmentKey;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Undertow's seam for the switch: every request asks for the <em>current</em> primary, so a
 * kept-alive client connection follows a failover on its next request. {@link #apply} swaps the
 * backend in one volatile write (there is never a moment with the wrong host, only with none),
 * retires the old one's pool, and releases held requests.
 *
 * <p>A connection the backend did not accept never reached a node, so the request is held
 * until another backend becomes current (or its hold time runs out) instead of failing. Requests
 * that failed after they were sent are ProxyHandler's business (retried only when idempotent);
 * issue 4 extends that with idempotency keys.
 */
public final class PrimaryProxyClient implements ProxyClient, AutoCloseable {

    /** The backend an exchange was last sent to; its epoch is the one stamped on the request. */
    public static final AttachmentKey<Backend> BACKEND = AttachmentKey.create(Backend.class);

    private static final Logger log = LoggerFactory.getLogger(PrimaryProxyClient.class);

    private final BackendPoolSettings poolSettings;
    private final UndertowClient client = UndertowClient.getInstance();
    private final HoldQueue holds;
    private volatile Backend current;
    private volatile RouteDecision decision = new NoPrimary("not connected to ZooKeeper yet");

    public PrimaryProxyClient(BackendPoolSettings poolSettings, long holdTimeoutMs, int maxHeldRequests) {
        this.poolSettings = poolSettings;
        this.holds = new HoldQueue(holdTimeoutMs, maxHeldRequests, this::current, this::whyNoPrimary);
    }

    /**
     * Makes {@code next} the routing decision. Call from one thread only (the switch's event
     * thread): the swap and the retire must not interleave with another apply.
     */
    public void apply(RouteDecision next) {
        RouteDecision previous = decision;
        decision = next;
        Backend old = current;
        if (next instanceof Route route && old != null && route.sameTarget(old.route())) {
            return;
        }
        if (next instanceof NoPrimary && old == null) {
            if (!next.reason().equals(previous.reason())) {
                log.info("primary none -> none ({})", next.reason());
            }
            return;
        }
        Backend fresh = next instanceof Route route ? new Backend(route, poolSettings, client) : null;
        current = fresh;
        log.info("primary {} -> {} ({})", label(old), label(fresh), next.reason());
        if (old != null) {
            old.retire();
        }
        holds.release(fresh);
    }

    public RouteDecision decision() {
        return decision;
    }

    /** The backend requests go to now, or null while there is none. */
    public Backend current() {
        return current;
    }

    public HoldQueue holds() {
        return holds;
    }

    @Override
    public ProxyTarget findTarget(HttpServerExchange exchange) {
        // null sends the request to ProxyHandler's next handler, which holds it
        return current;
    }

    @Override
    public void getConnection(ProxyTarget target, HttpServerExchange exchange, ProxyCallback<ProxyConnection> callback,
            long timeout, TimeUnit timeUnit) {
        Backend backend = (Backend) target;
        if (backend == null || backend.retired()) {
            // the route changed since findTarget: never send to a retired backend
            backend = current;
        }
        if (backend == null) {
            holds.hold(exchange, null, (held, next) -> connect(next, held, callback));
            return;
        }
        connect(backend, exchange, callback);
    }

    @Override
    public List<ProxyTarget> getAllTargets() {
        Backend backend = current;
        return backend == null ? List.of() : List.of(backend);
    }

    private void connect(Backend backend, HttpServerExchange exchange, ProxyCallback<ProxyConnection> callback) {
        exchange.putAttachment(BACKEND, backend);
        backend.connect(exchange, new ProxyCallback<>() {
            @Override
            public void completed(HttpServerExchange ex, ProxyConnection connection) {
                callback.completed(ex, connection);
            }

            @Override
            public void failed(HttpServerExchange ex) {
                log.debug("{} did not accept a connection for {}; holding the request", backend, ex.getRequestURI());
                holds.hold(ex, backend, (held, next) -> connect(next, held, callback));
            }

            @Override
            public void couldNotResolveBackend(HttpServerExchange ex) {
                callback.couldNotResolveBackend(ex);
            }

            @Override
            public void queuedRequestFailed(HttpServerExchange ex) {
                callback.queuedRequestFailed(ex);
            }
        }, -1, TimeUnit.MILLISECONDS);
    }

    private String whyNoPrimary() {
        RouteDecision now = decision;
        return now instanceof NoPrimary ? now.reason() : "primary " + label(current) + " is not accepting connections";
    }

    private static String label(Backend backend) {
        return backend == null ? "none" : backend.label();
    }

    /** Answers everything held with 503 and closes the current backend's connections. */
    @Override
    public void close() {
        holds.close();
        Backend last = current;
        current = null;
        if (last != null) {
            last.retire();
        }
    }
}
