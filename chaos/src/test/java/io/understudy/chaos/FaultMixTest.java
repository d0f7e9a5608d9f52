package io.understudy.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.understudy.chaos.fault.FaultMix;
import io.understudy.workload.History;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultMixTest {

    @Test
    void shouldCoverEveryFaultInTheFirstCyclesAndRepeatForTheSameSeed() {
        FaultMix mix = FaultMix.of(List.of("default"), new History());
        List<String> sequence = mix.sequence(20, 42);
        assertThat(sequence.subList(0, mix.names().size())).containsExactlyInAnyOrderElementsOf(mix.names());
        assertThat(mix.sequence(20, 42)).isEqualTo(sequence);
        assertThat(mix.names()).contains("crash-primary-postgres");
    }

    @Test
    void shouldTakeAllOrNamedFaults() {
        assertThat(FaultMix.of(List.of("all"), new History()).names()).contains("crash-primary-postgres");
        assertThat(FaultMix.of(List.of("kill-primary", "restart-switch"), new History()).names())
                .containsExactly("kill-primary", "restart-switch");
    }

    @Test
    void shouldNameTheKnownFaultsWhenOneIsUnknown() {
        assertThatThrownBy(() -> FaultMix.of(List.of("unplug"), new History()))
                .hasMessageContaining("unknown fault 'unplug'").hasMessageContaining("kill-primary");
    }
}
