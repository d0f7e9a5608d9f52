package io.understudy.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code UNDERSTUDY_LOG_FORMAT=json understudy local}, in its own JVM as a user runs it: everything
 * it prints, its own lines and its children's, is one JSON object per line; a bad value stops it
 * before it starts anything.
 */
class JsonLogsIT {

    private static final String APPLIANCE = "appliance";

    /** Kept when a test fails, for its logs. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @AutoClose
    private final LocalCommandLine local = new LocalCommandLine();

    @Test
    void theLocalApplianceAndItsChildrenWriteJsonLines() throws Exception {
        ApplianceConfig config = TestPorts.applianceOnFreePorts(dir.resolve("data"));
        Path out = dir.resolve("out.log");
        Process appliance = startLocal(config, "json", out);

        await("appliance ready").atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(250))
                .until(() -> JsonLines.finished(out).stream().anyMatch(line ->
                        line.path("formattedMessage").asText().contains("Ctrl-C stops everything")));
        appliance.destroy();
        assertThat(appliance.waitFor(2, TimeUnit.MINUTES)).as("appliance exits on SIGTERM").isTrue();

        List<JsonNode> lines = JsonLines.all(out);
        Set<String> processes = new TreeSet<>();
        lines.forEach(line -> processes.add(line.path("context").path("name").asText()));
        assertThat(processes).containsExactlyInAnyOrder(APPLIANCE, "node-a", "node-b", "switch");
        assertThat(lines).anySatisfy(line -> {
            assertThat(line.path("context").path("name").asText()).isEqualTo("node-a");
            assertThat(line.path("mdc").path("node").asText()).isEqualTo("a");
            assertThat(line.path("mdc").path("epoch").asLong()).isPositive();
        });
        assertThat(lines).anySatisfy(line -> {
            assertThat(line.path("context").path("name").asText()).isEqualTo(APPLIANCE);
            assertThat(line.path("formattedMessage").asText()).startsWith("appliance STOPPING -> STOPPED");
        });
    }

    @Test
    void anUnknownFormatStopsTheStartNamingTheKey() throws Exception {
        ApplianceConfig config = TestPorts.applianceOnFreePorts(dir.resolve("data"));
        Path out = dir.resolve("out.log");
        Process appliance = startLocal(config, "xml", out);

        assertThat(appliance.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(appliance.exitValue()).isEqualTo(2);
        assertThat(Files.readString(out, StandardCharsets.UTF_8))
                .contains("UNDERSTUDY_LOG_FORMAT").contains("must be 'text' or 'json', got 'xml'");
        assertThat(config.dataDir()).doesNotExist();
    }

    private Process startLocal(ApplianceConfig config, String logFormat, Path out) throws IOException {
        return local.start(config, APPLIANCE, out, Map.of("UNDERSTUDY_LOG_FORMAT", logFormat));
    }
}
