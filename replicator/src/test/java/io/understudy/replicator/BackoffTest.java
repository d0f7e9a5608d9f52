package io.understudy.replicator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private static Duration ms(long ms) {
        return Duration.ofMillis(ms);
    }

    @Test
    void doublesUpToTheMaximumAndCountsAttempts() {
        Backoff backoff = new Backoff(ms(250), ms(5000));
        List<Duration> delays = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            delays.add(backoff.next());
        }
        assertThat(delays).containsExactly(ms(250), ms(500), ms(1000), ms(2000), ms(4000), ms(5000), ms(5000), ms(5000));
        assertThat(backoff.attempt()).isEqualTo(8);
    }

    @Test
    void resetStartsOverAtTheInitialDelay() {
        Backoff backoff = new Backoff(ms(250), ms(5000));
        backoff.next();
        backoff.next();
        backoff.reset();
        assertThat(backoff.next()).isEqualTo(ms(250));
        assertThat(backoff.attempt()).isEqualTo(1);
    }

    @Test
    void refusesAMaximumBelowTheInitialDelay() {
        assertThatThrownBy(() -> new Backoff(ms(500), ms(100))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, ms(100))).isInstanceOf(IllegalArgumentException.class);
    }
}
