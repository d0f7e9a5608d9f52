package io.understudy.node.supervise;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RestartPolicyTest {

    @ParameterizedTest(name = "exit #{0} in a row, base {1} ms -> wait {2} ms")
    @CsvSource({
            "1,  1000,   1000",
            "2,  1000,   2000",
            "3,  1000,   4000",
            "6,  1000,  32000",
            "7,  1000,  60000",
            "40, 1000,  60000",
            // a base above the cap is the wait itself, never shortened
            "1,  90000, 90000",
            "5,  90000, 90000",
            "1,  100,     100",
            "4,  100,     800",
    })
    void shouldDoubleTheWaitUpToTheCap(int failures, long base, long expected) {
        assertThat(RestartPolicy.delayMillis(failures, base)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "after {0} in a row, a run of {1} ms (base {2}) -> {3} in a row")
    @CsvSource({
            // crashes at start keep counting
            "0, 50,     1000, 1",
            "1, 50,     1000, 2",
            "5, 9999,   1000, 6",
            // a run of ten times the base, at least 10 s, was healthy: the count starts again
            "5, 10000,  1000, 1",
            "5, 10000,  5000, 6",
            "5, 50000,  5000, 1",
    })
    void shouldForgetEarlierCrashesAfterAHealthyRun(int previous, long ranFor, long base, int expected) {
        assertThat(RestartPolicy.failuresAfterExit(previous, ranFor, base)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} runOn={1}: {2}")
    @CsvSource({
            "STARTING,  PRIMARY, false",
            "PRIMARY,   PRIMARY, true",
            "SECONDARY, PRIMARY, false",
            "DEMOTED,   PRIMARY, false",
            "RESYNCING, PRIMARY, false",
            "STARTING,  ALL,     false",
            "PRIMARY,   ALL,     true",
            "SECONDARY, ALL,     true",
            "DEMOTED,   ALL,     true",
            "RESYNCING, ALL,     true",
    })
    void shouldRunTheApplicationWhereRunOnSays(io.understudy.cluster.Role role, SupervisionSettings.RunOn runOn,
            boolean wanted) {
        assertThat(new SupervisionSettings("app", runOn, 1000, 1000).wanted(Side.of(role))).isEqualTo(wanted);
    }
}
