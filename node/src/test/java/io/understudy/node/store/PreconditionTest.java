package io.understudy.node.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PreconditionTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                // ifMatch, ifNoneMatchAny, current etag, allows, unconditional
                Arguments.of(null, false, null, true, true),
                Arguments.of(null, false, "e1", true, true),
                Arguments.of(null, true, null, true, false),
                Arguments.of(null, true, "e1", false, false),
                Arguments.of("*", false, null, false, false),
                Arguments.of("*", false, "e1", true, false),
                Arguments.of("e1", false, "e1", true, false),
                Arguments.of("e1", false, "e2", false, false),
                Arguments.of("e1", false, null, false, false));
    }

    @ParameterizedTest(name = "If-Match {0}, If-None-Match * {1}, current {2}: allows {3}, unconditional {4}")
    @MethodSource("cases")
    void shouldAllowAWriteOnlyWhenItsConditionHolds(String ifMatch, boolean ifNoneMatchAny, String current, boolean allows,
                                                     boolean unconditional) {
        Precondition pre = new Precondition(ifMatch, ifNoneMatchAny);

        assertThat(pre.allows(current)).isEqualTo(allows);
        assertThat(pre.unconditional()).isEqualTo(unconditional);
    }
}
