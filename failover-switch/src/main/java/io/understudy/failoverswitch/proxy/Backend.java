package io.understudy.failoverswitch.proxy;

import io.understudy.failoverswitch.routing.RouteDecision.Route;
import io.undertow.client.ClientConnection;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.xnio.IoUtils;
import org.xnio.XnioIoThread;

/**
 * One primary in one epoch, with its own pool of kept-alive connections. A new primary (or a
 * new epoch of the same one) always gets a new Backend, so no pooled connection outlives the
 * route it was opened for. Connections belong to the pool, never to a client connection.
 *
 * <p>Threading: each IO thread has its own idle list, touched only by that thread (a connection
 * lives on the IO thread that opened it), so taking and returning a connection needs no lock.
 */
public final class Backend {

    /**
     * An attempt waiting for this backend's answer. {@link #superseded()} may be called on any
     * thread (more than once); the attempt moves to its own IO thread and ignores it once over.
     */
    interface Waiter {
        void superseded();
    }

    private final Route route;
    private final String epochHeader;
    private final String pathPrefix;
    private final int maxIdlePerThread;
    private final ConcurrentHashMap<XnioIoThread, ArrayDeque<ClientConnection>> idle = new ConcurrentHashMap<>();
    /** Every open connection; retire() closes them. */
    private final Set<ClientConnection> connections = ConcurrentHashMap.newKeySet();
    /** Attempts sent (or being sent) here that have no answer yet. */
    private final Set<Waiter> waiting = ConcurrentHashMap.newKeySet();
    private volatile boolean retired;
    private volatile boolean superseded;

    Backend(Route route, int maxIdlePerThread) {
        this.route = route;
        this.epochHeader = Long.toString(route.epoch());
        String path = route.target().getPath();
        this.pathPrefix = path == null || path.equals("/") ? "" : path;
        this.maxIdlePerThread = maxIdlePerThread;
    }

    public Route route() {
        return route;
    }

    public long epoch() {
        return route.epoch();
    }

    /** The epoch as stamped in {@code X-Understudy-Epoch}. */
    String epochHeader() {
        return epochHeader;
    }

    /** Prepended to every forwarded path ("" when the API URL has none). */
    String pathPrefix() {
        return pathPrefix;
    }

    URI uri() {
        return route.target();
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

    /** Attempts still waiting for an answer from this backend (status and tests). */
    public int waiting() {
        return waiting.size();
    }

    /** {@code waiter} now waits for this backend; told at once if a newer epoch already took over. Any thread. */
    void await(Waiter waiter) {
        waiting.add(waiter);
        if (superseded) {
            waiting.remove(waiter);
            waiter.superseded();
        }
    }

    /** {@code waiter} got its answer, failed, or gave up. Any thread. */
    void answered(Waiter waiter) {
        waiting.remove(waiter);
    }

    /**
     * A newer epoch took over: every attempt still waiting for this backend's answer is told to
     * give up (it abandons its connection). Call after {@link #retire()}. Any thread.
     */
    void supersede() {
        superseded = true;
        for (Waiter waiter : waiting) {
            waiting.remove(waiter);
            waiter.superseded();
        }
    }

    /** An idle open connection on {@code thread}, or null. Call on {@code thread} only. */
    ClientConnection poll(XnioIoThread thread) {
        ArrayDeque<ClientConnection> list = idle.get(thread);
        if (list == null) {
            return null;
        }
        for (ClientConnection connection = list.pollLast(); connection != null; connection = list.pollLast()) {
            if (connection.isOpen()) {
                return connection;
            }
        }
        return null;
    }

    /** Registers a connection just opened for this backend. IO thread of the connection. */
    void opened(ClientConnection connection) {
        connections.add(connection);
        connection.addCloseListener(connections::remove);
        if (retired) {
            IoUtils.safeClose(connection);
        }
    }

    /**
     * Takes back a connection whose exchange has fully completed, or closes it when it cannot
     * be reused. IO thread of the connection.
     */
    void release(ClientConnection connection) {
        if (retired || !connection.isOpen()) {
            IoUtils.safeClose(connection);
            return;
        }
        ArrayDeque<ClientConnection> list = idle.computeIfAbsent(connection.getIoThread(), t -> new ArrayDeque<>());
        if (list.size() >= maxIdlePerThread) {
            IoUtils.safeClose(connection);
        } else {
            list.addLast(connection);
        }
    }

    /**
     * Stops pooling and closes every idle connection; busy ones finish their exchange and are
     * closed when released. Any thread.
     */
    void retire() {
        retired = true;
        idle.forEach((thread, list) -> thread.execute(() -> {
            for (ClientConnection connection = list.pollFirst(); connection != null; connection = list.pollFirst()) {
                IoUtils.safeClose(connection);
            }
        }));
    }

    @Override
    public String toString() {
        return label() + " " + route.target();
    }
}
