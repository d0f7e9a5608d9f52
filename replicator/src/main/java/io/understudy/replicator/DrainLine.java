package io.understudy.replicator;

import io.understudy.replicator.capture.SourceAdmin;
import java.sql.Connection;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection to the source kept open while the stream runs, for the drain to ask the source over: opening one costs
 * the source a new backend process (50-70 ms measured on a loaded machine), and a planned switchover's drain runs
 * while no write is acknowledged. Opened in the background; used once; a drain that finds none, or whose query on it
 * fails, opens a fresh connection as before. Thread-safe.
 */
final class DrainLine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DrainLine.class);

    private final ReplicatorConfig config;
    private Connection connection;
    private boolean closed;

    DrainLine(ReplicatorConfig config) {
        this.config = config;
    }

    /** Opens the connection on a daemon thread; a failure leaves none (the drain then opens its own). */
    void openInBackground() {
        Thread thread = new Thread(() -> {
            try {
                Connection opened = Replicator.sourceAdmin(config, 10).connect();
                synchronized (this) {
                    if (!closed && connection == null) {
                        connection = opened;
                        return;
                    }
                }
                opened.close();
            } catch (SQLException e) {
                LOG.debug("drain {}: no connection kept to the source ({})", config.name(), e.getMessage());
            }
        }, "replicator-" + config.name() + "-drain-line");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * See {@link SourceAdmin#drainTarget(String)}, over the kept connection, which is closed afterwards.
     *
     * @param timeoutMs how long the source may take to answer before the connection is given up
     * @return the WAL position, or -1 when there is no kept connection or it failed
     */
    long drainTarget(String token, int timeoutMs) {
        Connection c;
        synchronized (this) {
            c = connection;
            connection = null;
        }
        if (c == null) {
            return -1;
        }
        try (c) {
            c.setNetworkTimeout(Runnable::run, timeoutMs);
            return SourceAdmin.drainTarget(c, token);
        } catch (SQLException e) {
            LOG.info("drain {}: the kept connection to the source failed ({}); asking over a new one", config.name(),
                    e.getMessage());
            return -1;
        }
    }

    @Override
    public void close() {
        Connection c;
        synchronized (this) {
            closed = true;
            c = connection;
            connection = null;
        }
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                LOG.debug("drain {}: closing the kept connection: {}", config.name(), e.getMessage());
            }
        }
    }
}
