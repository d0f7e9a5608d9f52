package io.understudy.cluster.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

    @TempDir
    Path dir;

    @Test
    void shouldNameFileAndKeyWhenValueIsBad() throws Exception {
        Path file = Files.writeString(dir.resolve("node.conf"), "api.port=eighty\n");
        Settings settings = Settings.load(file, Map.of());

        assertThatThrownBy(() -> settings.port("api.port", 8081))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("node.conf")
                .hasMessageContaining("api.port")
                .hasMessageContaining("eighty");
    }

    @Test
    void shouldRejectOutOfRangeAndMissing() {
        Settings settings = Settings.of("x.conf", Map.of("api.port", "70000"));

        assertThatThrownBy(() -> settings.port("api.port", 1)).hasMessageContaining("between 1 and 65535");
        assertThatThrownBy(() -> settings.string("node.id")).hasMessage("x.conf: node.id: is required");
    }

    @Test
    void shouldLetEnvironmentOverrideFile() throws Exception {
        Path file = Files.writeString(dir.resolve("n.conf"), "api.port=8081\nnode.id=a\n");
        Settings settings = Settings.load(file, Map.of("UNDERSTUDY_API_PORT", "9000"));

        assertThat(settings.port("api.port", 1)).isEqualTo(9000);
        assertThat(settings.string("node.id")).isEqualTo("a");
        assertThat(settings.port("switch.port", 8080)).isEqualTo(8080);
    }

    @Test
    void shouldRejectUnknownKeysSoTyposAreNotSilent() {
        Settings settings = Settings.of("x.conf", Map.of("api.prot", "1"));

        assertThatThrownBy(() -> settings.rejectUnknownKeys(Set.of("api.port")))
                .hasMessageStartingWith("x.conf: api.prot: unknown key");
    }

    @Test
    void shouldValidateUrlsBooleansAndEnums() {
        Settings settings = Settings.of("x.conf", Map.of("u", "ftp://h", "b", "maybe", "e", "sideways"));

        assertThatThrownBy(() -> settings.httpUrl("u", null)).hasMessageContaining("x.conf: u:");
        assertThatThrownBy(() -> settings.bool("b", false)).hasMessageContaining("true or false");
        assertThatThrownBy(() -> settings.enumValue("e", java.time.DayOfWeek.class, java.time.DayOfWeek.MONDAY))
                .hasMessageContaining("must be one of");
        assertThat(Settings.of("x", Map.of("u", "http://h:1/")).httpUrl("u", null)).isEqualTo("http://h:1");
    }

    @Test
    void shouldReportUnreadableFile() {
        assertThatThrownBy(() -> Settings.load(dir.resolve("missing.conf"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("missing.conf");
    }
}
