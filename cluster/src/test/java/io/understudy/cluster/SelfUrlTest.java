package io.understudy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SelfUrlTest {

    @Test
    void aWildcardAddressIsReachedOverLoopback() {
        assertThat(SelfUrl.of("0.0.0.0", 8080)).isEqualTo("http://127.0.0.1:8080");
        assertThat(SelfUrl.of("::", 8080)).isEqualTo("http://127.0.0.1:8080");
        assertThat(SelfUrl.of("[::]", 8080)).isEqualTo("http://127.0.0.1:8080");
        assertThat(SelfUrl.of("", 8080)).isEqualTo("http://127.0.0.1:8080");
        assertThat(SelfUrl.of(null, 8080)).isEqualTo("http://127.0.0.1:8080");
    }

    @Test
    void aNamedAddressIsUsedAsItIsWithIpv6LiteralsInBrackets() {
        assertThat(SelfUrl.of("10.0.0.7", 8081)).isEqualTo("http://10.0.0.7:8081");
        assertThat(SelfUrl.of("node-a.example", 8081)).isEqualTo("http://node-a.example:8081");
        assertThat(SelfUrl.of("fd00::7", 8081)).isEqualTo("http://[fd00::7]:8081");
        assertThat(SelfUrl.of("[fd00::7]", 8081)).isEqualTo("http://[fd00::7]:8081");
    }
}
