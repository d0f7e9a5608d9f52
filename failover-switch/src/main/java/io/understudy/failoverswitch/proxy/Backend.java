package io.understudy.failoverswitch.proxy;

import io.understudy.failoverswitch.routing.RouteDecision.Route;
import io.undertow.client.ClientConnection;
import io.undertow.client.UndertowClient;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.proxy.ProxyCallback;
import io.undertow.server.handlers.proxy.ProxyClient;
import io.undertow.server.handlers.proxy.ProxyConnection;
import io.undertow.server.handlers.proxy.ProxyConnectionPool;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.xnio.IoUtils;
import org.xnio.OptionMap;

/**
 * One primary in one epoch, with its own connection pool. A new primary (or a new epoch of the
 * same one) always gets a new Backend, so no pooled connection outlives the route it was opened
 * for. Backend connections belong to the pool, never to a client connection.
 */
public final class Backend implements ProxyClient.ProxyTarget {

    private final Route route;
    private final ProxyConnectionPool pool;
    /** Every open connection the pool handed out; retire() closes the idle ones. */
    private final Set<ClientConnection> connections = ConcurrentHashMap.newKeySet();
    /** Connections carrying a request right now; the pool closes them when they come back. */
    private final Set<ClientConnection> busy = ConcurrentHashMap.newKeySet();
    private volatile boolean retired;

    Backend(Route route, BackendPoolSettings settings, UndertowClient client) {
        this.route = route;
        this.pool = new ProxyConnectionPool(settings, route.target(), client, OptionMap.EMPTY);
    }

    public Route route() {
        return route;
    }

    public long epoch() {
        return route.epoch();
    }

    public String label() {
        return route.label();
    }

    public boolean retired() {
        return retired;
    }

    /** Open connections to this backend, idle or busy (status and tests). */
    public int openConnections() {
        return connections.size();
    }

    /** IO thread of {@code exchange} only (the pool keeps its connections per IO thread). */
    void connect(HttpServerExchange exchange, ProxyCallback<ProxyConnection> callback, long timeout, TimeUnit unit) {
        pool.connect(this, exchange, new Tracking(callback), timeout, unit, false);
    }

    /**
     * Stops handing out connections and closes every idle one; busy ones finish their request and
     * are closed by the pool when they come back. Any thread.
     */
    void retire() {
        retired = true;
        pool.close();
        for (ClientConnection connection : connections) {
            // on the connection's own IO thread, so "busy" cannot change under us
            connection.getIoThread().execute(() -> {
                if (!busy.contains(connection)) {
                    IoUtils.safeClose(connection);
                }
            });
        }
    }

    @Override
    public String toString() {
        return label() + " " + route.target();
    }

    private final class Tracking implements ProxyCallback<ProxyConnection> {

        private final ProxyCallback<ProxyConnection> next;

        Tracking(ProxyCallback<ProxyConnection> next) {
            this.next = next;
        }

        @Override
        public void completed(HttpServerExchange exchange, ProxyConnection result) {
            ClientConnection connection = result.getConnection();
            if (connections.add(connection)) {
                connection.addCloseListener(closed -> {
                    connections.remove(closed);
                    busy.remove(closed);
                });
            }
            busy.add(connection);
            // added after the pool's own listener, so it runs before the connection goes back
            exchange.addExchangeCompleteListener((done, nextListener) -> {
                busy.remove(connection);
                nextListener.proceed();
            });
            next.completed(exchange, result);
        }

        @Override
        public void failed(HttpServerExchange exchange) {
            next.failed(exchange);
        }

        @Override
        public void couldNotResolveBackend(HttpServerExchange exchange) {
            next.couldNotResolveBackend(exchange);
        }

        @Override
        public void queuedRequestFailed(HttpServerExchange exchange) {
            next.queuedRequestFailed(exchange);
        }
    }
}
