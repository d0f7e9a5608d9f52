package io.understudy.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClusterSettingsTest {

    @Test
    void shouldTakeTheRetentionDefaultsForAConfigWrittenBeforeRetentionExisted() {
        ClusterSettings old = ClusterJson.fromBytes(
                "{\"failoverPaused\":true,\"pausedReason\":\"x\",\"maxLagOnFailoverBytes\":5}".getBytes(StandardCharsets.UTF_8),
                ClusterSettings.class);

        assertThat(old.historyMaxEntries()).isEqualTo(1000);
        assertThat(old.idempotencyKeyMaxAgeMs()).isEqualTo(86_400_000L);
        assertThat(old.withPause(false, null).historyMaxEntries()).isEqualTo(1000);
        ClusterSettings kept = old.withRetention(50, 3_600_000).withPause(true, "y");
        assertThat(kept.historyMaxEntries()).isEqualTo(50);
        assertThat(kept.idempotencyKeyMaxAgeMs()).isEqualTo(3_600_000);
        assertThat(ClusterJson.fromBytes(ClusterJson.toBytes(kept), ClusterSettings.class)).isEqualTo(kept);
    }

    @ParameterizedTest(name = "history {0}, key age {1}: {2}")
    @CsvSource(delimiter = '|', value = {
            "10    | 600000      | ",
            "20000 | 7776000000  | ",
            "9     | 600000      | historyMaxEntries must be between 10 and 20000, got 9",
            "20001 | 600000      | historyMaxEntries must be between 10 and 20000, got 20001",
            "1000  | 599999      | idempotencyKeyMaxAgeMs must be between 600000 and 7776000000, got 599999",
            "1000  | 7776000001  | idempotencyKeyMaxAgeMs must be between 600000 and 7776000000, got 7776000001",
    })
    void shouldValidateRetentionBeforeItIsWritten(int history, long keyAge, String problem) {
        ClusterSettings s = ClusterSettings.DEFAULTS.withRetention(history, keyAge);
        if (problem == null) {
            assertThat(s.validated()).isEqualTo(s);
        } else {
            assertThatThrownBy(s::validated).isInstanceOf(IllegalArgumentException.class).hasMessage(problem);
        }
    }

    @ParameterizedTest(name = "written by hand: history {0}, key age {1} -> kept {2}, {3}")
    @CsvSource({
            "1,        1,          10,    600000",
            "500,      3600000,    500,   3600000",
            "99999999, 9999999999, 20000, 7776000000",
    })
    void shouldPruneWithinTheBoundsWhateverWasWrittenByHand(int history, long keyAge, int keep, long maxAge) {
        ClusterSettings s = ClusterSettings.DEFAULTS.withRetention(history, keyAge);

        assertThat(s.effectiveHistoryMaxEntries()).isEqualTo(keep);
        assertThat(s.effectiveIdempotencyKeyMaxAgeMs()).isEqualTo(maxAge);
    }
}
