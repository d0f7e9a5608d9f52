package io.understudy.failoverswitch.admin;

import io.understudy.cluster.ClusterJson;
import io.understudy.cluster.CommandRecord;
import io.understudy.cluster.SelfUrl;
import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the switch's operator-command path once, before an operator does. On a fresh local appliance the first
 * switchover request took 66 ms from arriving to its command written to ZooKeeper (10 ms later on): handing the
 * request to a worker thread 19 ms, reading and parsing its body 22, checking it 6, the first sequential create 19.
 * The old primary starts handing over only once the command is written, so all of that was inside the switchover's
 * write gap; writing the 202 answer took 25 ms more, on a machine busy with the switchover itself. With this warm-up
 * the first command's whole request took 12-23 ms in four fresh appliances.
 *
 * <p>Nothing is written. One switchover request goes to the switch's own listener with a negative
 * {@code expectedEpoch}, which the switch refuses (400) after the token check, the hand-off to a worker, and reading and
 * parsing the body, before it looks at the cluster (its access log line names {@value #USER_AGENT} as the client); then
 * the codec of a command and the JSON of an accepted command's answer are built in memory. The request needs the admin
 * token and plain HTTP; without a token no command can be written at all, and a switch serving TLS gets the in-memory
 * part only. The first create in ZooKeeper is the one step left to the first command.
 */
public final class AdminWarmUp {

    private static final Logger log = LoggerFactory.getLogger(AdminWarmUp.class);
    /** The request's User-Agent, so that its line in the access log says what it is. */
    public static final String USER_AGENT = "understudy-switch-warm-up";
    /** A switchover the switch refuses for its body alone: no epoch is negative. */
    static final String REFUSED_BODY = "{\"to\":\"understudy-warm-up\",\"reason\":\"warm-up\",\"expectedEpoch\":-1}";

    private AdminWarmUp() {
    }

    /**
     * Starts the warm-up on a daemon thread and returns; a failure is logged at debug level and otherwise ignored.
     *
     * @param adminToken the switch's admin token, or null (no request is sent)
     * @param tls        whether the listener serves TLS (no request is sent)
     */
    public static void start(String host, int port, String adminToken, boolean tls) {
        Thread thread = new Thread(() -> {
            long start = System.nanoTime();
            try {
                if (adminToken != null && !tls) {
                    int status = refusedSwitchover(URI.create(SelfUrl.of(host, port)), adminToken);
                    if (status != 400) {
                        log.warn("the warm-up's switchover request was answered {}, not 400 (refused body)", status);
                    }
                }
                ClusterJson.prepareHandOverRecords();
                ClusterJson.toString(AdminHandler.accepted("/warm-up", new CommandRecord("warm-up",
                        CommandRecord.Type.SWITCHOVER, "warm-up", 0, "warm-up", 0, "warm-up")));
                log.debug("operator-command path warmed up in {} ms", (System.nanoTime() - start) / 1_000_000);
            } catch (IOException | RuntimeException e) {
                log.debug("operator-command warm-up stopped: {}", e.toString());
            }
        }, "switch-warm-up");
        thread.setDaemon(true);
        thread.start();
    }

    /** The refused switchover, sent with the JDK's own HTTP client; returns the answer's status code. */
    static int refusedSwitchover(URI self, String adminToken) throws IOException {
        HttpURLConnection request = (HttpURLConnection) self.resolve(AdminHandler.PREFIX + "/switchover").toURL()
                .openConnection();
        try {
            request.setConnectTimeout(5_000);
            request.setReadTimeout(5_000);
            request.setRequestMethod("POST");
            request.setRequestProperty("User-Agent", USER_AGENT);
            request.setRequestProperty("Authorization", "Bearer " + adminToken);
            request.setRequestProperty("Content-Type", "application/json");
            request.setDoOutput(true);
            try (OutputStream out = request.getOutputStream()) {
                out.write(REFUSED_BODY.getBytes(StandardCharsets.UTF_8));
            }
            return request.getResponseCode();
        } finally {
            request.disconnect();
        }
    }
}
