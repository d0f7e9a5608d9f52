package io.understudy.launcher.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

class DurationConverterTest {

    @ParameterizedTest(name = "{0} = {1} ms")
    @CsvSource({"500ms, 500", "60s, 60000", "2m, 120000", "1h, 3600000", "PT1M, 60000", "pt0.5s, 500", " 10S , 10000"})
    void shouldReadTheWaysOperatorsWriteDurations(String text, long millis) {
        assertThat(DurationConverter.parse(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "ten seconds", "5 s", "-5s", "1d"})
    void shouldRefuseAnythingElseSayingWhatIsAccepted(String text) {
        assertThatThrownBy(() -> DurationConverter.parse(text)).isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("use e.g. 500ms, 60s");
    }
}
