package io.understudy.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChildProcessTest {

    @Test
    void shouldRunTheCliOnTheGivenClasspathWithABoundedHeap() {
        List<String> command = ChildProcess.javaCommand("/opt/java/bin/java", "/x/understudy.jar", 384, "node-a",
                List.of("node", "--config", "/d/conf/node-a.properties"));
        assertThat(command.get(0)).isEqualTo("/opt/java/bin/java");
        assertThat(command).contains("-Xmx384m", "-XX:+UseSerialGC", "-XX:MetaspaceSize=128m",
                "-XX:+ExitOnOutOfMemoryError", "-Dunderstudy.process=node-a").doesNotContain("-XX:+AlwaysPreTouch");
        assertThat(ChildProcess.javaCommand("java", "u.jar", 384, true, "node-a", List.of("node"))).contains("-XX:+AlwaysPreTouch");
        assertThat(command).containsSubsequence("-cp", "/x/understudy.jar", UnderstudyCli.class.getName(),
                "node", "--config", "/d/conf/node-a.properties");
    }
}
