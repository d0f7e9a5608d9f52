package io.understudy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SelfUrlTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(nullValues = "null", value = {
            // a wildcard listen address is reached over loopback
            "0.0.0.0, http://127.0.0.1:8080",
            "::, http://127.0.0.1:8080",
            "[::], http://127.0.0.1:8080",
            "'', http://127.0.0.1:8080",
            "null, http://127.0.0.1:8080",
            // a named address as it is, an IPv6 literal in brackets
            "10.0.0.7, http://10.0.0.7:8080",
            "node-a.example, http://node-a.example:8080",
            "fd00::7, http://[fd00::7]:8080",
            "[fd00::7], http://[fd00::7]:8080"})
    void aServerReachesItselfAtItsListenAddressOrOverLoopback(String host, String url) {
        assertThat(SelfUrl.of(host, 8080)).isEqualTo(url);
    }
}
