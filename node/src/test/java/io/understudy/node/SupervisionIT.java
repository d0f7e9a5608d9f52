package io.understudy.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.understudy.node.supervise.AppSupervisor;
import io.understudy.node.support.TestNodes;
import io.understudy.node.support.Traces;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The supervised application on two real nodes: with {@code app.runOn=all} it runs on the primary and the
 * secondary (a warm standby), is started again with a doubling back-off when it dies, and stops with its node.
 * Moving with the primary ({@code runOn=primary}) through a kill -9 is the launcher's RoleWorkFailoverIT.
 */
class SupervisionIT extends WithTwoDatabases {

    private final Logger supervisorLog = (Logger) LoggerFactory.getLogger(AppSupervisor.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @AfterEach
    void stopListening() {
        supervisorLog.detachAppender(logged);
    }

    @Test
    void shouldRunTheApplicationOnEveryNodeRestartItWithBackOffAndStopItWithTheNode() throws Exception {
        logged.start();
        supervisorLog.addAppender(logged);
        Path starts = dir.resolve("starts");
        Map<String, String> app = Map.of(
                "app.command", "echo \"$UNDERSTUDY_NODE_ID $UNDERSTUDY_ROLE $UNDERSTUDY_EPOCH $$\" >> " + starts
                        + "; exec sleep 600",
                "app.runOn", "all",
                "app.restartBackoffMs", "500",
                "app.stopGraceMs", "2000");
        a = Node.start(TestNodes.config("a", zk.getConnectString(), pgA, dir, app));
        await().atMost(Duration.ofSeconds(30)).until(() -> startsOf(starts, "a").size() == 1);
        b = Node.start(TestNodes.config("b", zk.getConnectString(), pgB, dir, app));
        await().atMost(Duration.ofSeconds(60)).until(() -> startsOf(starts, "b").size() == 1);
        assertThat(startsOf(starts, "a").get(0)).startsWith("a PRIMARY 1 ");
        assertThat(startsOf(starts, "b").get(0)).startsWith("b SECONDARY 1 ");

        // killed twice in a row: started again each time, after 500 ms, then 1000 ms
        for (int n = 1; n <= 2; n++) {
            long pid = Traces.pidOf(startsOf(starts, "a").get(n - 1));
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            int expected = n + 1;
            await().atMost(Duration.ofSeconds(30)).until(() -> startsOf(starts, "a").size() == expected);
        }
        assertThat(messagesOf("a")).containsSubsequence(
                "starting the application again in 500 ms (exit 1 in a row)",
                "starting the application again in 1000 ms (exit 2 in a row)");
        assertThat(startsOf(starts, "b")).hasSize(1);

        long appOfB = Traces.pidOf(startsOf(starts, "b").get(0));
        b.close();
        b = null;
        assertThat(Traces.alive(appOfB)).as("b's application after b stopped").isFalse();
        assertThat(Traces.alive(Traces.pidOf(startsOf(starts, "a").get(2)))).as("a's application").isTrue();
    }

    private List<String> messagesOf(String node) {
        return logged.list.stream().filter(e -> node.equals(e.getMDCPropertyMap().get("node")))
                .map(ILoggingEvent::getFormattedMessage).toList();
    }

    private static List<String> startsOf(Path file, String node) throws Exception {
        return Traces.lines(file, node + " ");
    }
}
