package io.understudy.node.replication;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On a secondary: pushes how far it has processed the primary's stream to the primary's
 * {@code POST /replication/applied}, at once when the position moves (eager: in sync mode, and while a hand-over to
 * this node is pending) and at least every 500 ms (so the primary knows it is attached). Silent until the first copy
 * is complete and whenever the stream is not live (its engine still starting, or reconnecting), so a secondary that
 * cannot apply the next write never counts as attached and sync-mode writes do not wait for it. One request in
 * flight; positions arriving meanwhile are coalesced into the next.
 *
 * <p>Sent with blocking I/O on the reporter's own thread over a kept-alive connection: in sync mode every write waits
 * for this request, and an asynchronous client would add two thread hand-offs (to its selector and back) to each.
 * The body is buffered, not streamed: before a streamed POST on a reused connection the JDK probes the connection with
 * a blocking read of 1 ms.
 */
public final class AppliedReporter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AppliedReporter.class);
    public static final long HEARTBEAT_MS = 500;
    private static final long RETRY_MS = 200;
    private static final int TIMEOUT_MS = 2000;

    private final String nodeId;
    private final String sourceId;
    private final URL endpoint;
    private final long heartbeatMs;
    private final String token;
    private final Thread thread;
    private final Object monitor = new Object();
    /** Guarded by {@link #monitor}, as are the two positions. */
    private boolean eager;
    private long latest;
    private long sent = -1;
    private volatile boolean closed;
    /** The replicator is streaming: what it reports now will be followed by what the primary commits next. */
    private volatile boolean live;

    /**
     * @param eager report every new position at once (sync mode, where writes wait for it); otherwise only every
     *              {@value #HEARTBEAT_MS} ms, which is enough for status and costs the primary no request per commit
     * @param token the cluster's API token the primary checks ({@code api.token}), or null
     */
    public AppliedReporter(String nodeId, String sourceId, String primaryApiUrl, boolean eager, String token) {
        this(nodeId, sourceId, primaryApiUrl, eager, token, HEARTBEAT_MS);
    }

    AppliedReporter(String nodeId, String sourceId, String primaryApiUrl, boolean eager, String token, long heartbeatMs) {
        this.eager = eager;
        this.heartbeatMs = heartbeatMs;
        this.token = token;
        this.nodeId = nodeId;
        this.sourceId = sourceId;
        try {
            this.endpoint = URI.create(primaryApiUrl.replaceAll("/+$", "") + "/replication/applied").toURL();
        } catch (java.net.MalformedURLException e) {
            throw new IllegalArgumentException("primary API URL " + primaryApiUrl + ": " + e.getMessage(), e);
        }
        this.thread = new Thread(this::run, "applied-reporter");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /**
     * Whether every new position is reported at once, as the constructor's {@code eager}; any thread, never blocks. A
     * switchover's target turns it on while the hand-over is pending: the old primary waits for the target to report
     * its WAL position before it shuts its write gate, and the heartbeat alone made that wait last up to
     * {@value #HEARTBEAT_MS} ms.
     */
    public void eager(boolean now) {
        synchronized (monitor) {
            if (now != eager) {
                eager = now;
                monitor.notifyAll();
            }
        }
    }

    /** The stream is processed up to {@code position}; any thread, never blocks. */
    public void processed(long position) {
        synchronized (monitor) {
            if (position > latest) {
                latest = position;
                if (eager) {
                    monitor.notifyAll();
                }
            }
        }
    }

    /** Whether the stream is live (STREAMING); reports stop while it is not. Any thread, never blocks. */
    public void live(boolean streaming) {
        synchronized (monitor) {
            if (streaming != live) {
                live = streaming;
                sent = -1; // report at once when it comes back
                monitor.notifyAll();
            }
        }
    }

    private void run() {
        boolean failing = false;
        while (!closed) {
            long position;
            try {
                synchronized (monitor) {
                    if (latest == sent || !eager || !live) {
                        monitor.wait(heartbeatMs);
                    }
                    position = latest;
                }
                if (position == 0 || !live) {
                    sent = position; // nothing to report yet (first copy running, engine starting): wait for news
                    continue;
                }
                send(position);
                sent = position;
                if (failing) {
                    log.info("reporting applied positions to {} again", endpoint);
                    failing = false;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                if (!failing && !closed) {
                    log.info("cannot report the applied position to {} ({}); retrying", endpoint, e.toString());
                    failing = true;
                }
                try {
                    Thread.sleep(RETRY_MS); // back-off before the next attempt, not synchronisation
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void send(long position) throws IOException {
        byte[] body = ("{\"nodeId\":\"" + nodeId + "\",\"sourceId\":\"" + sourceId + "\",\"position\":" + position + "}")
                .getBytes(StandardCharsets.UTF_8);
        HttpURLConnection c = (HttpURLConnection) endpoint.openConnection();
        c.setConnectTimeout(TIMEOUT_MS);
        c.setReadTimeout(TIMEOUT_MS);
        c.setRequestMethod("POST");
        // Buffered, not streamed (no fixed-length streaming mode): a streamed POST on a kept-alive connection is
        // preceded by a blocking read of 1 ms that probes the connection (sun.net.www.http.HttpClient#available), and
        // every sync-mode write waited for that millisecond.
        c.setDoOutput(true);
        c.setRequestProperty("Content-Type", "application/json");
        if (token != null) {
            c.setRequestProperty(io.understudy.cluster.Headers.TOKEN, token);
        }
        try (OutputStream out = c.getOutputStream()) {
            out.write(body);
        }
        int status = c.getResponseCode();
        // Reading the answer to its end hands the connection back for the next report.
        try (InputStream in = status / 100 == 2 ? c.getInputStream() : c.getErrorStream()) {
            if (in != null) {
                in.readAllBytes();
            }
        }
        if (status / 100 != 2) {
            throw new IllegalStateException("HTTP " + status);
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
