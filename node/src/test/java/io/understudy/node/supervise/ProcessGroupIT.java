package io.understudy.node.supervise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Real shells and real signals: what the node's hooks, application and duty runs rely on. */
class ProcessGroupIT {

    @TempDir
    Path dir;
    private final Logger output = (Logger) LoggerFactory.getLogger("test.output");
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private ProcessGroup group;

    @BeforeEach
    void listen() {
        lines.start();
        output.addAppender(lines);
    }

    @AfterEach
    void cleanUp() {
        output.detachAppender(lines);
        if (group != null) {
            group.kill();
        }
    }

    private ProcessGroup start(String command) throws Exception {
        group = ProcessGroup.start("test", command, Map.of("PATH", System.getenv("PATH"), "WHO", "me"), "n1", output,
                () -> 7);
        return group;
    }

    @Test
    void shouldLogEveryLineWithTheNodeAndEpochAndReportTheExitCode() throws Exception {
        int code = start("echo \"hello $WHO\"; echo oops >&2; exit 3").onExit().get();

        assertThat(code).isEqualTo(3);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(lines.list)
                .extracting(ILoggingEvent::getFormattedMessage).containsExactly("hello me", "oops"));
        assertThat(lines.list.get(0).getMDCPropertyMap()).containsEntry("node", "n1").containsEntry("epoch", "7");
    }

    @Test
    void shouldKillWhatIgnoresSigtermOnceTheGraceIsOver() throws Exception {
        Path pids = dir.resolve("pids");
        start("trap '' TERM; sleep 300 & echo $$ $! > " + pids + "; wait");
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(pids) && Files.readString(pids).endsWith("\n"));

        int code = group.terminate(Duration.ofMillis(300));

        assertThat(code).as("SIGKILL").isEqualTo(137);
        assertAllDead(pids);
    }

    @Test
    void shouldLetACommandThatHeedsSigtermExitByItself() throws Exception {
        Path ready = dir.resolve("ready");
        start("trap 'echo bye; exit 0' TERM; touch " + ready + "; while true; do sleep 0.1; done");
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(ready));

        assertThat(group.terminate(Duration.ofSeconds(30))).isZero();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(lines.list)
                .extracting(ILoggingEvent::getFormattedMessage).contains("bye"));
    }

    @Test
    void shouldKillWhatTheCommandLeftBehindWhenItExits() throws Exception {
        Path pids = dir.resolve("pids");
        int code = start("sleep 300 & echo $! > " + pids + "; exit 0").onExit().get();

        assertThat(code).isZero();
        assertAllDead(pids);
    }

    @Test
    void shouldKillTheWholeGroupWhenItsPipeToTheNodeCloses() throws Exception {
        // What the watchdog sees when the node's JVM dies, kill -9 included: end of file on its standard input.
        Path pids = dir.resolve("pids");
        start("sleep 300 & echo $$ $! > " + pids + "; wait");
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(pids) && Files.readString(pids).endsWith("\n"));

        group.release();

        assertAllDead(pids);
        assertThat(group.onExit().get()).isEqualTo(137);
    }

    private static void assertAllDead(Path pidFile) throws Exception {
        String[] pids = Files.readString(pidFile).trim().split("\\s+");
        assertThat(pids).isNotEmpty();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (String pid : pids) {
                Optional<ProcessHandle> p = ProcessHandle.of(Long.parseLong(pid));
                assertThat(p.map(ProcessHandle::isAlive)).as("pid %s alive", pid).isNotEqualTo(Optional.of(true));
            }
        });
    }
}
