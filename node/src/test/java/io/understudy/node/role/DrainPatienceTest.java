package io.understudy.node.role;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DrainPatienceTest {

    @ParameterizedTest(name = "{0} failed drains of a@1, base {1} ms: wait {2} ms")
    @CsvSource({
            "0, 5000, 5000",
            "1, 5000, 10000",
            "2, 5000, 20000",
            "4, 5000, 80000",
            "5, 5000, 80000",   // capped at 16 times the configured wait
            "40, 5000, 80000",
            "3, 100000, 600000", // and at the configured bound
            "3, 0, 0"})
    void shouldDoubleTheWaitOnEachConsecutiveFailureUpToTheCap(int failures, long baseMs, long expectedMs) {
        DrainPatience patience = DrainPatience.NONE;
        for (int i = 0; i < failures; i++) {
            patience = patience.failed("a@1");
        }
        assertThat(patience.waitMs("a@1", baseMs)).isEqualTo(expectedMs);
    }

    @Test
    void shouldStartAgainFromTheConfiguredWaitForAnotherPrimaryOrAfterSuccess() {
        DrainPatience twice = DrainPatience.NONE.failed("a@1").failed("a@1");
        assertThat(twice.waitMs("b@2", 5000)).isEqualTo(5000);
        assertThat(twice.failed("b@2")).isEqualTo(new DrainPatience("b@2", 1));
        assertThat(DrainPatience.NONE.waitMs("a@1", 5000)).isEqualTo(5000);
    }
}
