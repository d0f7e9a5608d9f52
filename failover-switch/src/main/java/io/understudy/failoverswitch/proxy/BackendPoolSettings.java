package io.understudy.failoverswitch.proxy;

import io.undertow.server.handlers.proxy.ConnectionPoolManager;

/**
 * Sizes of the connection pool to one primary, per IO thread. Availability is never decided here:
 * whether a node may take traffic is ZooKeeper's call, so a refused connection neither marks the
 * host as a problem nor starts Undertow's background reconnect probes (no polling).
 *
 * @param maxConnections       open connections per IO thread; more requests wait in the queue
 * @param coreCachedConnections idle connections kept without time limit per IO thread
 * @param maxCachedConnections idle connections kept at most per IO thread
 * @param idleTtlMs            idle time after which connections above the core size close
 * @param maxQueueSize         requests per IO thread waiting for a free connection
 */
public record BackendPoolSettings(int maxConnections, int coreCachedConnections, int maxCachedConnections,
        long idleTtlMs, int maxQueueSize) implements ConnectionPoolManager {

    public static final BackendPoolSettings DEFAULTS = new BackendPoolSettings(64, 8, 64, 60_000, 1024);

    @Override
    public int getMaxConnections() {
        return maxConnections;
    }

    @Override
    public int getMaxCachedConnections() {
        return maxCachedConnections;
    }

    @Override
    public int getSMaxConnections() {
        return coreCachedConnections;
    }

    @Override
    public long getTtl() {
        return idleTtlMs;
    }

    @Override
    public int getMaxQueueSize() {
        return maxQueueSize;
    }

    @Override
    public int getProblemServerRetry() {
        return -1;
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    /** Returning true keeps the host available: the failed request is held by the switch instead. */
    @Override
    public boolean handleError() {
        return true;
    }

    @Override
    public boolean clearError() {
        return true;
    }
}
