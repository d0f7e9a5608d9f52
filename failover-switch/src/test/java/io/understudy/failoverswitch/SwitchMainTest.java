package io.understudy.failoverswitch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.understudy.cluster.config.ConfigException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SwitchMainTest {

    @Test
    void shouldReadConfigFileInBothForms() {
        assertThat(SwitchMain.configFile(new String[] {"--config", "a.properties"})).isEqualTo(Path.of("a.properties"));
        assertThat(SwitchMain.configFile(new String[] {"--config=b.properties"})).isEqualTo(Path.of("b.properties"));
    }

    @Test
    void shouldRejectMissingUnknownOrRepeatedArguments() {
        assertThatThrownBy(() -> SwitchMain.configFile(new String[] {}))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("--config"));
        assertThatThrownBy(() -> SwitchMain.configFile(new String[] {"--config"}))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("--config"));
        assertThatThrownBy(() -> SwitchMain.configFile(new String[] {"--port", "1"}))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("--port"));
        assertThatThrownBy(() -> SwitchMain.configFile(new String[] {"--config=a", "--config=b"}))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.getMessage()).contains("twice"));
    }

    @Test
    void shouldExitWithStatus2OnUnreadableConfigFile() {
        assertThat(SwitchMain.launch(new String[] {"--config", "/nonexistent/switch.properties"}, server -> { }))
                .isEqualTo(SwitchMain.EXIT_CONFIG);
    }
}
