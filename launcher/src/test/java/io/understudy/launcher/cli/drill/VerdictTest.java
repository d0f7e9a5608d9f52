package io.understudy.launcher.cli.drill;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VerdictTest {

    @ParameterizedTest(name = "recovered={0} rto={1} lost={2} violation={3} max-rto={4} max-lost={5} -> {6}")
    @CsvSource(delimiter = '|', nullValues = "none", textBlock = """
            true  | 1900 | 0  | none          | none | none | passed
            true  | 1900 | 3  | none          | none | none | passed
            true  | 1900 | 0  | none          | 5000 | 0    | passed
            true  | 6100 | 0  | none          | 5000 | none | RTO 6100 ms > --max-rto 5000 ms
            true  | 1900 | 3  | none          | none | 0    | 3 acknowledged writes lost > --max-lost 0
            true  | 1900 | -1 | none          | none | 0    | no node could be checked for lost writes (--max-lost 0)
            true  | 1900 | -1 | none          | none | none | passed
            true  | 1900 | 0  | applied twice | none | none | applied twice
            false | 9000 | 0  | none          | none | none | not recovered: no new primary acknowledged writes within the recovery timeout
            false | 9000 | 5  | none          | 5000 | 1    | not recovered: no new primary acknowledged writes within the recovery timeout; RTO 9000 ms > --max-rto 5000 ms; 5 acknowledged writes lost > --max-lost 1
            """)
    void shouldPassOnlyWhenRecoveredSafeAndWithinTheTargets(boolean recovered, long rto, long lost, String violation, Long maxRto,
                                                            Long maxLost, String expected) {
        Verdict verdict = Verdict.of(recovered, rto, lost, violation == null ? List.of() : List.of(violation), maxRto, maxLost);

        assertThat(verdict.text()).isEqualTo(expected);
        assertThat(verdict.passed()).isEqualTo(expected.equals("passed"));
    }
}
