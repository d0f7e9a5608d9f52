package io.understudy.node.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.node.replication.Alarms.SlotView;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlarmsTest {

    @Test
    void shouldRaiseNothingForAStreamingSecondaryWithinTheBound() {
        assertThat(Alarms.ofPrimary(List.of(new SlotView("understudy_b", true, 1000)), 5000, false, true)).isEmpty();
    }

    @Test
    void shouldRaiseSlotLaggingAboveTheBoundNamingTheSlot() {
        assertThat(Alarms.ofPrimary(List.of(new SlotView("understudy_b", true, 6000)), 5000, false, true))
                .singleElement().asString().startsWith("slot_lagging").contains("understudy_b").contains("6000");
    }

    @Test
    void shouldRaiseSlotInactiveAndNoSecondaryWhenNobodyStreams() {
        assertThat(Alarms.ofPrimary(List.of(new SlotView("understudy_b", false, 10)), 5000, false, true))
                .extracting(a -> a.substring(0, a.indexOf(':'))).containsExactly("slot_inactive", "no_secondary");
        assertThat(Alarms.ofPrimary(List.of(), 5000, false, true))
                .extracting(a -> a.substring(0, a.indexOf(':'))).containsExactly("no_secondary");
    }

    @Test
    void shouldRaiseSyncDegradedAndWalBoundUnset() {
        assertThat(Alarms.ofPrimary(List.of(new SlotView("understudy_b", true, 0)), 5000, true, false))
                .extracting(a -> a.substring(0, a.indexOf(':'))).containsExactly("sync_degraded", "wal_bound_unset");
    }

    @Test
    void shouldRaiseReplicationFailedWithTheErrorOnASecondary() {
        assertThat(Alarms.ofSecondary(null)).isEmpty();
        assertThat(Alarms.ofSecondary("column public.objects.x has unsupported type point"))
                .containsExactly("replication_failed: column public.objects.x has unsupported type point");
    }
}
