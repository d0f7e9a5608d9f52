package io.understudy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigEditTest {

    private static final ClusterSettings PAUSED = new ClusterSettings(true, "maintenance by ops", 1L << 20);

    private static Map<String, String> assign(String... keyValues) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            out.put(keyValues[i], keyValues[i + 1]);
        }
        return out;
    }

    @Test
    void shouldSetAKeyAndKeepEverythingElse() {
        ConfigEdit.Result result = ConfigEdit.apply(PAUSED, assign("maxLagOnFailoverBytes", "2_097_152"));

        assertThat(result).isEqualTo(new ConfigEdit.Applied(new ClusterSettings(true, "maintenance by ops", 2_097_152),
                List.of(new ConfigEdit.Change("maxLagOnFailoverBytes", "1048576", "2097152"))));
    }

    @Test
    void shouldReportNoChangeWhenTheValueIsAlreadySet() {
        assertThat(ConfigEdit.apply(PAUSED, assign("maxLagOnFailoverBytes", "1048576")))
                .isEqualTo(new ConfigEdit.Applied(PAUSED, List.of()));
    }

    @ParameterizedTest(name = "{0}={1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            maxLagOnFailoverBytes | lots  | maxLagOnFailoverBytes must be a whole number, got 'lots'
            maxLagOnFailoverBytes | 0     | maxLagOnFailoverBytes must be between 1 and 9223372036854775807, got 0
            maxLagOnFailoverBytes | -5    | maxLagOnFailoverBytes must be between 1 and 9223372036854775807, got -5
            failoverPaused        | false | failoverPaused is not set with config set (failoverPaused: use pause and resume); settable: [maxLagOnFailoverBytes]
            maxLag                | 5     | unknown key maxLag; settable: [maxLagOnFailoverBytes]
            """)
    void shouldRefuseWhatIsNotASettableValue(String key, String value, String message) {
        assertThat(ConfigEdit.apply(PAUSED, assign(key, value))).isEqualTo(new ConfigEdit.Refused(key, message));
    }

    @Test
    void shouldRefuseTheWholeEditWhenOneAssignmentIsWrong() {
        assertThat(ConfigEdit.apply(PAUSED, assign("maxLagOnFailoverBytes", "5", "nope", "1")))
                .isInstanceOf(ConfigEdit.Refused.class);
        assertThat(ConfigEdit.apply(PAUSED, Map.of())).isInstanceOf(ConfigEdit.Refused.class);
    }

    @Test
    void shouldShowEverySettingByName() {
        assertThat(ConfigEdit.show(PAUSED)).containsExactly(Map.entry("failoverPaused", true),
                Map.entry("pausedReason", "maintenance by ops"), Map.entry("maxLagOnFailoverBytes", 1048576L));
    }
}
