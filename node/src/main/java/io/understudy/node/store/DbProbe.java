package io.understudy.node.store;

import io.understudy.node.role.Fitness.DbHealth;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the node's own database {@code SELECT 1} on its own connection (outside the pool, so a
 * stalled pool cannot hide an answering database, nor a dead one make the caller wait for the
 * pool's timeout) every {@code intervalMs}, with short connect and socket timeouts. Its thread
 * writes; {@link #health} may be read from any thread. The database counts as answering until
 * a probe says otherwise: the node only starts after migrating it.
 */
public final class DbProbe implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DbProbe.class);
    private static final int TIMEOUT_SECONDS = 2;

    private final String url;
    private final Properties props = new Properties();
    private final long intervalMs;
    private final ScheduledExecutorService thread;
    private Connection connection;
    /** {@link System#nanoTime()} when the first failed probe of the current outage started; 0 while answering. */
    private volatile long downSinceNanos;
    private volatile String lastError;

    public DbProbe(String url, String user, String password, long intervalMs, String nodeId) {
        this.url = url;
        this.intervalMs = intervalMs;
        props.setProperty("user", user);
        props.setProperty("password", password);
        props.setProperty("connectTimeout", Integer.toString(TIMEOUT_SECONDS));
        props.setProperty("socketTimeout", Integer.toString(TIMEOUT_SECONDS));
        props.setProperty("loginTimeout", Integer.toString(TIMEOUT_SECONDS));
        props.setProperty("ApplicationName", "understudy-probe-" + nodeId);
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "db-probe");
            t.setDaemon(true);
            return t;
        });
    }

    public void start() {
        thread.scheduleWithFixedDelay(this::probe, 0, intervalMs, TimeUnit.MILLISECONDS);
    }

    /** The database as the last probe found it; {@code failTimeoutMs} is carried for the decision. */
    public DbHealth health(long failTimeoutMs) {
        long since = downSinceNanos;
        if (since == 0) {
            return new DbHealth(true, 0, failTimeoutMs, null);
        }
        return new DbHealth(false, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since), failTimeoutMs, lastError);
    }

    private void probe() {
        long started = System.nanoTime();
        try {
            if (connection == null) {
                connection = DriverManager.getConnection(url, props);
            }
            try (Statement st = connection.createStatement()) {
                st.setQueryTimeout(TIMEOUT_SECONDS);
                try (ResultSet rs = st.executeQuery("SELECT 1")) {
                    rs.next();
                }
            }
            if (downSinceNanos != 0) {
                log.info("own database answers again after {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - downSinceNanos));
            }
            downSinceNanos = 0;
            lastError = null;
        } catch (SQLException | RuntimeException e) {
            closeConnection();
            lastError = e.getMessage();
            if (downSinceNanos == 0) {
                downSinceNanos = started == 0 ? 1 : started;
                log.warn("own database does not answer: {}", e.getMessage());
            }
        }
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                log.debug("closing the probe connection: {}", e.getMessage());
            }
            connection = null;
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeConnection();
    }
}
