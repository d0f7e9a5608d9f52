package io.understudy.node.replication;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On a secondary: pushes how far it has processed the primary's stream to the primary's
 * {@code POST /replication/applied}, at once when the position moves (eager, for sync mode) and at least every 500 ms (so the primary
 * knows it is attached). Silent until the first copy is complete and whenever the stream is not live (its engine
 * still starting, or reconnecting), so a secondary that cannot apply the next write never counts as attached and
 * sync-mode writes do not wait for it. One request in flight; positions arriving meanwhile are coalesced into the next.
 */
public final class AppliedReporter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AppliedReporter.class);
    static final long HEARTBEAT_MS = 500;
    private static final long RETRY_MS = 200;

    private final String nodeId;
    private final String sourceId;
    private final URI endpoint;
    private final boolean eager;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).version(HttpClient.Version.HTTP_1_1).build();
    private final Thread thread;
    private final Object monitor = new Object();
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
        this.eager = eager;
        this.token = token;
        this.nodeId = nodeId;
        this.sourceId = sourceId;
        this.endpoint = URI.create(primaryApiUrl.replaceAll("/+$", "") + "/replication/applied");
        this.thread = new Thread(this::run, "applied-reporter");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
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
                        monitor.wait(HEARTBEAT_MS);
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

    private void send(long position) throws Exception {
        String body = "{\"nodeId\":\"" + nodeId + "\",\"sourceId\":\"" + sourceId + "\",\"position\":" + position + "}";
        HttpRequest.Builder builder = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(2))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            builder.header(io.understudy.cluster.Headers.TOKEN, token);
        }
        HttpRequest request = builder.build();
        HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("HTTP " + response.statusCode());
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
