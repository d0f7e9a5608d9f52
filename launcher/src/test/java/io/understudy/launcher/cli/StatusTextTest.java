package io.understudy.launcher.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.cluster.ClusterSettings;
import io.understudy.cluster.FailoverOutlook;
import io.understudy.cluster.ReplicationInfo;
import io.understudy.cluster.Role;
import io.understudy.failoverswitch.admin.StatusReport;
import io.understudy.failoverswitch.routing.ZkLink;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusTextTest {

    private static final ReplicationInfo STREAMING = new ReplicationInfo("STREAMING", null, 0, 0, 0, 0, -1, "sync", List.of());
    private static final StatusReport.Member A = new StatusReport.Member("a", Role.PRIMARY, "http://a", true, -1, 3,
            new ReplicationInfo("SOURCE", null, 0, 0, 0, 0, 4096, "sync", List.of("slot_lagging: understudy_b holds 2 GB")), true,
            "primary of epoch 3", 100, false, -1, "1.0");
    private static final StatusReport.Member B = new StatusReport.Member("b", Role.SECONDARY, "http://b", true, 12, 3, STREAMING,
            false, "lag 5242880 bytes > maxLagOnFailover 1048576", 0, true, 5_242_880, "1.0");

    @Test
    void shouldListEveryMemberLikePatronictlAndMarkThePrimary() {
        StatusReport status = new StatusReport("prod", new StatusReport.Primary("a", 3, "http://a", true), List.of(A, B),
                new StatusReport.SwitchState(ZkLink.CONNECTED, "a", 3, "http://a", "live primary", 0), List.of(),
                new FailoverOutlook(List.of(), null), ClusterSettings.DEFAULTS);

        String text = StatusText.render(status);

        assertThat(text).startsWith("+ Cluster: prod ");
        assertThat(text).contains("| Node | Role      | Epoch | Health  | Replication      | Lag ms | Lag bytes | Eligible |");
        assertThat(text).contains("| a *  | PRIMARY   | 3     | healthy | SOURCE (sync)    | -      | -         | yes      |"
                + " priority=100           | primary of epoch 3                           |");
        assertThat(text).contains("| b    | SECONDARY | 3     | healthy | STREAMING (sync) | 12     | 5242880   | no       |"
                + " priority=0, nofailover | lag 5242880 bytes > maxLagOnFailover 1048576 |");
        assertThat(text).contains("Primary: a (epoch 3); this switch routes to a\n")
                .contains("Alarm on a: slot_lagging: understudy_b holds 2 GB\n")
                .doesNotContain("PAUSED").doesNotContain("blocked");
    }

    @Test
    void shouldSayWhenRequestsAreHeldFailoverIsPausedOrBlocked() {
        StatusReport status = new StatusReport("prod", new StatusReport.Primary("a", 3, "http://a", false), List.of(B),
                new StatusReport.SwitchState(ZkLink.CONNECTED, null, 0, null, "primary a@3 is not live", 2), List.of(),
                new FailoverOutlook(List.of(), "no eligible candidate: b: lag"), ClusterSettings.DEFAULTS.withPause(true, "patching"));

        assertThat(StatusText.notes(status)).containsExactly(
                "Primary: a (epoch 3, NOT LIVE); this switch holds requests (2 waiting): primary a@3 is not live",
                "Automatic failover: PAUSED (patching)",
                "Failover blocked: no eligible candidate: b: lag");
    }
}
