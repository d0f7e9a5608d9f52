package io.understudy.replicator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.understudy.cluster.config.ConfigException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StartPlanTest {

    private static final Optional<StartPlan.Slot> SLOT = Optional.of(new StartPlan.Slot(8, false));
    private static final String SCOPE = "include=[app.*] exclude=[] noPrimaryKey=full";

    @Test
    void shouldSyncAfreshWithoutStateOrWithAnIncompleteSnapshot() {
        assertThat(StartPlan.decide("a@1", Optional.empty(), SLOT, SCOPE).fresh()).isTrue();
        assertThat(StartPlan.decide("a@1", Optional.of(new AppliedState("a@1", 10, 0, false)), SLOT, SCOPE).fresh()).isTrue();
    }

    @Test
    void shouldSyncAfreshWhenTheSlotIsGoneLostOrPastTheAppliedPosition() {
        Optional<AppliedState> applied = Optional.of(new AppliedState("a@1", 10, 5, true));

        assertThat(StartPlan.decide("a@1", applied, Optional.empty(), SCOPE).reason()).contains("slot").contains("gone");
        assertThat(StartPlan.decide("a@1", applied, Optional.of(new StartPlan.Slot(8, true)), SCOPE).reason()).contains("invalidated");
        assertThat(StartPlan.decide("a@1", applied, Optional.of(new StartPlan.Slot(11, false)), SCOPE).fresh()).isTrue();
        assertThat(StartPlan.decide("a@1", applied, Optional.of(new StartPlan.Slot(10, false)), SCOPE).fresh()).isFalse();
    }

    @Test
    void shouldResumeFromTheStoredPosition() {
        StartPlan plan = StartPlan.decide("a@1", Optional.of(new AppliedState("a@1", 10, 5, true)), SLOT, SCOPE);

        assertThat(plan.fresh()).isFalse();
        assertThat(plan.appliedPosition()).isEqualTo(10);
        assertThat(plan.sourceCommitTsMs()).isEqualTo(5);
        assertThat(plan.reason()).contains("a@1").contains("0/A");
    }

    @Test
    void shouldSyncAfreshWhenTheCopyWasTakenWithAnotherScope() {
        Optional<AppliedState> copied = Optional.of(new AppliedState("a@1", 10, 5, true, "include=[] exclude=[] noPrimaryKey=full"));
        Optional<AppliedState> unrecorded = Optional.of(new AppliedState("a@1", 10, 5, true, null));

        assertThat(StartPlan.decide("a@1", copied, SLOT, SCOPE).reason()).contains("scope changed");
        assertThat(StartPlan.decide("a@1", unrecorded, SLOT, SCOPE).fresh()).isFalse();
        assertThat(StartPlan.decide("a@1", Optional.of(new AppliedState("a@1", 10, 5, true, SCOPE)), SLOT, SCOPE).fresh()).isFalse();
    }

    private static ReplicatorConfig config(String name, List<String> tables, long poll) {
        return new ReplicatorConfig(name, "a@1", "127.0.0.1", 5432, "postgres", "u", "p", tables, Path.of("/tmp"), poll, 1000);
    }

    @Test
    void shouldValidateTheConfigNamingTheKey() {
        assertThat(config("understudy_b", List.of("public.objects"), 10).offsetFile().getFileName().toString())
                .isEqualTo("replicator-understudy_b.offsets");
        assertThatThrownBy(() -> config("Bad-Name", List.of("public.objects"), 10))
                .isInstanceOf(ConfigException.class).hasMessageContaining("name");
        assertThatThrownBy(() -> config("b", List.of("objects"), 10))
                .isInstanceOf(ConfigException.class).hasMessageContaining("tables").hasMessageContaining("schema-qualified");
        assertThatThrownBy(() -> config("b", List.of(), 10))
                .isInstanceOf(ConfigException.class).hasMessageContaining("tables");
        assertThatThrownBy(() -> config("b", List.of("public.objects"), 0))
                .isInstanceOf(ConfigException.class).hasMessageContaining("pollIntervalMs");
    }
}
