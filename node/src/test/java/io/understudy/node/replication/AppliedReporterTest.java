package io.understudy.node.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.understudy.cluster.Headers;
import io.undertow.Undertow;
import io.undertow.util.HttpString;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The secondary's position reports, against a real HTTP server standing in for the primary's API. */
class AppliedReporterTest {

    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private Undertow primary;
    private AppliedReporter reporter;

    @AfterEach
    void stop() {
        if (reporter != null) {
            reporter.close();
        }
        if (primary != null) {
            primary.stop();
        }
    }

    @Test
    void anEagerReporterSendsEachNewPositionOverOneKeptAliveConnectionWithTheToken() {
        String url = startPrimary();
        reporter = new AppliedReporter("a", "b@3", url, true, "secret");
        reporter.start();
        reporter.live(true);

        reporter.processed(100);
        await().atMost(Duration.ofSeconds(10)).until(() -> bodies.contains(report(100)));
        reporter.processed(250);
        await().atMost(Duration.ofSeconds(10)).until(() -> bodies.contains(report(250)));
        reporter.processed(400);
        await().atMost(Duration.ofSeconds(10)).until(() -> bodies.contains(report(400)));

        assertThat(bodies).as("every report names the secondary and the stream")
                .allMatch(b -> b.startsWith("token=secret type=application/json {\"nodeId\":\"a\",\"sourceId\":\"b@3\""));
        assertThat(clientPorts).as("one connection, kept alive from report to report").hasSize(1);
    }

    @Test
    void aReporterTurnedEagerSendsTheNewPositionWithoutWaitingForItsHeartbeat() {
        String url = startPrimary();
        reporter = new AppliedReporter("a", "b@3", url, false, "secret", Duration.ofHours(1).toMillis());
        reporter.live(true);
        reporter.processed(100);
        reporter.start();
        await("the reporter resting until its next heartbeat, in an hour").atMost(Duration.ofSeconds(10))
                .until(AppliedReporterTest::reporterRests);

        reporter.eager(true);

        await().atMost(Duration.ofSeconds(10)).until(() -> bodies.contains(report(100)));
        reporter.processed(300);
        await("reported at once from now on").atMost(Duration.ofSeconds(10)).until(() -> bodies.contains(report(300)));
    }

    @Test
    void aRefusedReportIsSentAgainUntilThePrimaryTakesIt() {
        failuresLeft.set(2);
        String url = startPrimary();
        reporter = new AppliedReporter("a", "b@3", url, true, null);
        reporter.start();
        reporter.live(true);

        reporter.processed(77);

        await().atMost(Duration.ofSeconds(10)).until(() -> bodies.contains("token=null type=application/json " + body(77)));
        assertThat(failuresLeft).hasValue(0);
    }

    /** Records each report with its token and content type; answers 503 while {@link #failuresLeft} lasts. */
    private String startPrimary() {
        primary = Undertow.builder().addHttpListener(0, "127.0.0.1").setHandler(exchange ->
                exchange.getRequestReceiver().receiveFullString((ex, body) -> {
                    clientPorts.add(((InetSocketAddress) ex.getSourceAddress()).getPort());
                    if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                        ex.setStatusCode(503);
                    } else {
                        bodies.add("token=" + ex.getRequestHeaders().getFirst(new HttpString(Headers.TOKEN))
                                + " type=" + ex.getRequestHeaders().getFirst("Content-Type") + " " + body);
                        ex.setStatusCode(204);
                    }
                    ex.endExchange();
                }, StandardCharsets.UTF_8)).build();
        primary.start();
        return "http://127.0.0.1:" + ((InetSocketAddress) primary.getListenerInfo().get(0).getAddress()).getPort() + "/";
    }

    /** Whether the reporter's thread waits in its rest between reports. */
    private static boolean reporterRests() {
        return Thread.getAllStackTraces().entrySet().stream().anyMatch(e -> e.getKey().getName().equals("applied-reporter")
                && e.getKey().getState() == Thread.State.TIMED_WAITING && e.getValue().length > 0
                && e.getValue()[0].getMethodName().equals("wait"));
    }

    private static String report(long position) {
        return "token=secret type=application/json " + body(position);
    }

    private static String body(long position) {
        return "{\"nodeId\":\"a\",\"sourceId\":\"b@3\",\"position\":" + position + "}";
    }
}
