package io.understudy.cluster.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.understudy.cluster.config.LogSettings.Format;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LogSettingsTest {

    @ParameterizedTest(name = "file ''{0}'', environment ''{1}'' -> {2}")
    @CsvSource(nullValues = "-", value = {
        // file   environment  format
        "-,       -,           TEXT",
        "text,    -,           TEXT",
        "json,    -,           JSON",
        "-,       json,        JSON",
        "json,    text,        TEXT",
        "' ',     -,           TEXT",
    })
    void shouldReadTheFormatFromTheFileOrTheEnvironment(String file, String environment, Format expected) {
        assertThat(LogSettings.from(settings(file, environment)).format()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "file ''{0}'', environment ''{1}'' is refused")
    @CsvSource(nullValues = "-", value = {
        "JSON,   -",
        "jsonl,  -",
        "-,      logstash",
    })
    void shouldRefuseAnyOtherValueNamingTheKey(String file, String environment) {
        assertThatThrownBy(() -> LogSettings.from(settings(file, environment)))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("node.conf: log.format: must be 'text' or 'json'");
    }

    private static Settings settings(String file, String environment) {
        Properties values = new Properties();
        if (file != null) {
            values.setProperty("log.format", file);
        }
        return new Settings("node.conf", values, environment == null ? Map.of() : Map.of("UNDERSTUDY_LOG_FORMAT", environment));
    }
}
