package io.understudy.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.understudy.launcher.RestartPolicy.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RestartPolicyTest {

    private static final RestartPolicy POLICY = RestartPolicy.DEFAULT;

    @ParameterizedTest(name = "ran {0} ms after a {1} ms delay ({2} in a row) -> restart in {3} ms, {4} in a row")
    @CsvSource({
            // a first exit, however short the run
            "100,    0,     0, 1000,  1",
            "900000, 0,     0, 1000,  1",
            // a crash loop doubles the delay
            "200,    1000,  1, 2000,  2",
            "200,    2000,  2, 4000,  3",
            "200,    16000, 5, 30000, 6",
            // bounded at 30 s
            "200,    30000, 6, 30000, 7",
            // a stable run starts the series again
            "30000,  30000, 7, 1000,  1",
            "29999,  4000,  3, 8000,  4",
    })
    void shouldBackOffInACrashLoopAndResetAfterAStableRun(long ranMs, long previousMs, int inARow, long delayMs, int next) {
        Verdict verdict = POLICY.afterExit(Duration.ofMillis(ranMs), Duration.ofMillis(previousMs), inARow, 137, true);
        assertThat(verdict).isEqualTo(new Verdict.Restart(Duration.ofMillis(delayMs), next));
    }

    @ParameterizedTest(name = "exit code {0} of a {1} -> {2}")
    @CsvSource({
            "3,   node,   removed from the cluster",
            "2,   node,   configuration was refused",
            "2,   switch, configuration was refused",
    })
    void shouldLeaveAChildStoppedThatARestartCannotHelp(int exitCode, String kind, String reason) {
        assertThat(POLICY.afterExit(Duration.ofMillis(10), Duration.ZERO, 0, exitCode, kind.equals("node")))
                .isInstanceOf(Verdict.Stay.class)
                .extracting(v -> ((Verdict.Stay) v).reason()).asString().contains(reason);
    }

    @Test
    void shouldRestartASwitchThatExitedWithTheRemovedCode() {
        assertThat(POLICY.afterExit(Duration.ofMillis(10), Duration.ZERO, 0, 3, false)).isInstanceOf(Verdict.Restart.class);
    }

    @Test
    void shouldReachTheBoundAfterSixQuickExits() {
        List<Long> delays = new ArrayList<>();
        Duration previous = Duration.ZERO;
        int inARow = 0;
        for (int i = 0; i < 8; i++) {
            Verdict.Restart restart = (Verdict.Restart) POLICY.afterExit(Duration.ofSeconds(1), previous, inARow, 1, true);
            delays.add(restart.delay().toSeconds());
            previous = restart.delay();
            inARow = restart.inARow();
        }
        assertThat(delays).containsExactly(1L, 2L, 4L, 8L, 16L, 30L, 30L, 30L);
    }

    @Test
    void shouldRefuseADelayRangeThatIsEmpty() {
        assertThatThrownBy(() -> new RestartPolicy(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .hasMessageContaining("0 < first <= max");
    }
}
