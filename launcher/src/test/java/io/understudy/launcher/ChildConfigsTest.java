package io.understudy.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.cluster.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildConfigsTest {

    @TempDir
    Path dir;

    @Test
    void shouldGiveEachNodeItsOwnPortsDatabaseAndDirectory() {
        ApplianceConfig config = ApplianceConfig.defaults(Path.of("/srv/u"));
        Map<String, String> b = ChildConfigs.node(config, "b");
        assertThat(b).containsExactly(
                Map.entry("node.id", "b"),
                Map.entry("cluster.name", "local"),
                Map.entry("zookeeper.connect", "127.0.0.1:12181,127.0.0.1:12182,127.0.0.1:12183"),
                Map.entry("zookeeper.sessionTimeoutMs", "1800"),
                Map.entry("zookeeper.connectionTimeoutMs", "1800"),
                Map.entry("api.host", "127.0.0.1"),
                Map.entry("api.port", "8082"),
                Map.entry("db.url", "jdbc:postgresql://127.0.0.1:15433/postgres"),
                Map.entry("db.user", "postgres"),
                Map.entry("db.password", ""),
                Map.entry("data.dir", "/srv/u/node/b"),
                Map.entry("replication.pollIntervalMs", "2"));
    }

    @Test
    void shouldPointTheSwitchAtTheEnsemble() {
        Map<String, String> values = ChildConfigs.failoverSwitch(ApplianceConfig.defaults(Path.of("/srv/u")), "t0ken");
        assertThat(values).containsExactly(
                Map.entry("cluster.name", "local"),
                Map.entry("zookeeper.connect", "127.0.0.1:12181,127.0.0.1:12182,127.0.0.1:12183"),
                Map.entry("switch.host", "127.0.0.1"),
                Map.entry("switch.port", "8080"),
                Map.entry("switch.holdTimeoutMs", "5000"),
                Map.entry("switch.adminToken", "t0ken"));
    }

    @Test
    void shouldWriteAFileThatSettingsReadsBackExactly() {
        ApplianceConfig config = ApplianceConfig.defaults(dir.resolve("data with space"));
        Path file = ChildConfigs.nodeFile(config, "a");
        ChildConfigs.write(file, "test", ChildConfigs.node(config, "a"));

        Settings settings = Settings.load(file, Map.of());
        ChildConfigs.node(config, "a").forEach((key, value) ->
                assertThat(settings.string(key, "")).as(key).isEqualTo(value));
        assertThat(Files.exists(file.resolveSibling(file.getFileName() + ".tmp"))).isFalse();
    }

    @Test
    void shouldEscapeValuesThatPropertiesWouldMangle() {
        String text = ChildConfigs.render("h", Map.of("k", " leading space\\and\ttab"));
        assertThat(text).isEqualTo("# h\nk=\\ leading space\\\\and\\ttab\n");
    }
}
