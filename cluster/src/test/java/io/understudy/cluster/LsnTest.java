package io.understudy.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LsnTest {

    @Test
    void shouldRoundTripPostgresText() {
        assertThat(Lsn.format(Lsn.parse("16/B374D848"))).isEqualTo("16/B374D848");
        assertThat(Lsn.parse("0/1")).isEqualTo(1L);
        assertThat(Lsn.parse("1/0")).isEqualTo(1L << 32);
    }

    @Test
    void shouldOrderLikePostgres() {
        assertThat(Lsn.parse("0/FFFFFFFF")).isLessThan(Lsn.parse("1/0"));
    }

    @Test
    void shouldRejectGarbage() {
        assertThatThrownBy(() -> Lsn.parse("16B374D848")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Lsn.parse("0/")).isInstanceOf(IllegalArgumentException.class);
    }
}
