package io.understudy.node.appfiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.understudy.cluster.config.ConfigException;
import io.understudy.cluster.config.Settings;
import io.understudy.node.NodeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppFilesSettingsTest {

    private static Map<String, String> node(String... keysAndValues) {
        Map<String, String> m = new HashMap<>(Map.of("node.id", "b", "zookeeper.connect", "127.0.0.1:2181",
                "db.url", "jdbc:postgresql://127.0.0.1:15433/postgres"));
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    @Test
    void shouldReplicateNoDirectoryUnlessOneIsNamed() {
        AppFilesSettings none = NodeConfig.from(Settings.of("node-b.properties", node())).appFiles();
        assertThat(none.enabled()).isFalse();
        assertThat(none).isEqualTo(AppFilesSettings.NONE);

        AppFilesSettings named = NodeConfig.from(Settings.of("node-b.properties", node("app.filesDir", "/srv/app/uploads/",
                "app.filesQuietMs", "0", "app.filesScanIntervalMs", "60000"))).appFiles();
        assertThat(named.dir()).contains(Path.of("/srv/app/uploads"));
        assertThat(named.quietMs()).isZero();
        assertThat(named.scanIntervalMs()).isEqualTo(60_000);
        assertThat(named.flushTimeoutMs()).isEqualTo(60_000);
    }

    @Test
    void shouldNameTheFileAndKeyOfEveryProblem(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");
        assertThatThrownBy(() -> NodeConfig.from(Settings.of("node-b.properties", node("app.filesDir", file.toString()))))
                .isInstanceOf(ConfigException.class)
                .hasMessage("node-b.properties: app.filesDir: is not a directory: " + file);
        assertThatThrownBy(() -> NodeConfig.from(Settings.of("node-b.properties", node("app.filesScanIntervalMs", "10"))))
                .hasMessage("node-b.properties: app.filesScanIntervalMs: must be between 1000 and 86400000, got 10");
        assertThatThrownBy(() -> NodeConfig.from(Settings.of("node-b.properties", node("app.filesQuietMs", "soon"))))
                .hasMessage("node-b.properties: app.filesQuietMs: must be a whole number, got 'soon'");
        assertThatThrownBy(() -> NodeConfig.from(Settings.of("node-b.properties", node("app.fileDir", "/x"))))
                .hasMessageStartingWith("node-b.properties: app.fileDir: unknown key");
    }
}
