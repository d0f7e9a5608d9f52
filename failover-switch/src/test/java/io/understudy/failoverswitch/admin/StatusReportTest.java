package io.understudy.failoverswitch.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.understudy.cluster.ClusterJson;
import io.understudy.cluster.ClusterSettings;
import io.understudy.cluster.ClusterView;
import io.understudy.cluster.HistoryRecord;
import io.understudy.cluster.MemberRecord;
import io.understudy.cluster.PrimaryRecord;
import io.understudy.cluster.ReplicationInfo;
import io.understudy.cluster.Role;
import io.understudy.failoverswitch.routing.RouteDecision.NoPrimary;
import io.understudy.failoverswitch.routing.RouteDecision.Route;
import io.understudy.failoverswitch.routing.ZkLink;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StatusReportTest {

    private static final MemberRecord A = new MemberRecord("a", "http://a:1", "db", Role.PRIMARY, 2, 0, -1, true, "t", 0);
    private static final MemberRecord B = new MemberRecord("b", "http://b:1", "db", Role.SECONDARY, 2, 0, 40, false, "t", 0,
            new ReplicationInfo("FAILED", "table public.objects column body: bad value", 2, 4, 100, 50, -1, "async",
                    List.of("replication_failed")));
    private static final PrimaryRecord A2 = new PrimaryRecord("a", "http://a:1", "db", 2, 0, null, 0);

    @Test
    void shouldReportLivePrimaryMembersAndRoute() throws Exception {
        StatusReport report = StatusReport.of("c1", new ClusterView(Optional.of(A2), List.of(B, A)), ZkLink.CONNECTED,
                new Route("a", URI.create("http://a:1"), 2, "why"), 3,
                List.of(new HistoryRecord(HistoryRecord.Type.PROMOTION, "a", "b", 2, 7, "b was lost")));

        JsonNode json = ClusterJson.MAPPER.readTree(ClusterJson.toString(report));

        assertThat(json.path("primary").toString())
                .isEqualTo("{\"nodeId\":\"a\",\"epoch\":2,\"apiUrl\":\"http://a:1\",\"live\":true}");
        JsonNode b = json.path("members").get(1);
        assertThat(b.path("nodeId").asText()).isEqualTo("b");
        assertThat(b.path("role").asText()).isEqualTo("SECONDARY");
        assertThat(b.path("apiUrl").asText()).isEqualTo("http://b:1");
        assertThat(b.path("healthy").asBoolean()).isFalse();
        assertThat(b.path("lagMs").asLong()).isEqualTo(40);
        // Operators read replication failures, snapshot progress and alarms here.
        assertThat(b.path("replication").path("state").asText()).isEqualTo("FAILED");
        assertThat(b.path("replication").path("error").asText()).contains("public.objects").contains("body");
        assertThat(b.path("replication").path("snapshotTablesDone").asInt()).isEqualTo(2);
        assertThat(b.path("replication").path("alarms").get(0).asText()).isEqualTo("replication_failed");
        assertThat(json.path("route").path("nodeId").asText()).isEqualTo("a");
        assertThat(json.path("route").path("heldRequests").asInt()).isEqualTo(3);
        assertThat(json.path("history").get(0).path("type").asText()).isEqualTo("PROMOTION");
        assertThat(json.path("history").get(0).path("previousNodeId").asText()).isEqualTo("b");
        assertThat(b.path("eligible").asBoolean()).isFalse();
        assertThat(b.path("eligibility").asText()).isEqualTo("not published");
        assertThat(json.path("failover").toString()).isEqualTo("{\"eligible\":[],\"blocked\":null}");
    }

    @Test
    void shouldSayWhyNobodyCanTakeOverFromAGonePrimary() throws Exception {
        MemberRecord lagging = new MemberRecord("b", "http://b:1", "db", Role.SECONDARY, 2, 0, 40, true, "t", 0,
                ReplicationInfo.NONE, new MemberRecord.Candidacy(false, "lag 5242880 bytes > maxLagOnFailover 1048576", 100,
                        false, 7));
        StatusReport report = StatusReport.of("c1", new ClusterView(Optional.of(A2), List.of(lagging)), ZkLink.CONNECTED,
                new NoPrimary("gone"), 0, List.of());
        JsonNode json = ClusterJson.MAPPER.readTree(ClusterJson.toString(report));
        assertThat(json.path("failover").path("blocked").asText())
                .isEqualTo("no eligible candidate: b: lag 5242880 bytes > maxLagOnFailover 1048576");
        assertThat(json.path("members").get(0).path("priority").asInt()).isEqualTo(100);
    }

    @Test
    void shouldReportHowManyBytesOfThePrimarysWalEachSecondaryLacks() {
        MemberRecord primary = new MemberRecord("a", "http://a:1", "db", Role.PRIMARY, 2, 10_000, -1, true, "1.2", 0);
        MemberRecord heartbeatAhead = new MemberRecord("b", "http://b:1", "db", Role.SECONDARY, 2, 4_000, 3, true, "1.2", 0,
                ReplicationInfo.NONE, new MemberRecord.Candidacy(true, "eligible", 100, false, 9_000));
        MemberRecord applied = new MemberRecord("c", "http://c:1", "db", Role.SECONDARY, 2, 7_500, 3, true, "1.1", 0);
        ClusterView view = new ClusterView(Optional.of(A2), List.of(primary, heartbeatAhead, applied),
                new ClusterSettings(true, "patching", 4096), List.of());

        StatusReport report = StatusReport.of("c1", view, ZkLink.CONNECTED, new Route("a", URI.create("http://a:1"), 2, "why"),
                0, List.of());

        assertThat(report.members()).extracting(StatusReport.Member::lagBytes).containsExactly(-1L, 1_000L, 2_500L);
        assertThat(report.members()).extracting(StatusReport.Member::version).containsExactly("1.2", "1.2", "1.1");
        assertThat(report.settings().failoverPaused()).isTrue();
        StatusReport gone = StatusReport.of("c1", new ClusterView(Optional.of(A2), List.of(heartbeatAhead)), ZkLink.CONNECTED,
                new NoPrimary("gone"), 0, List.of());
        assertThat(gone.members().get(0).lagBytes()).as("no live primary: unknown").isEqualTo(-1);
    }

    @Test
    void shouldReportPrimaryRecordAsNotLiveWithoutItsMember() {
        StatusReport report = StatusReport.of("c1", new ClusterView(Optional.of(A2), List.of(B)), ZkLink.SUSPENDED,
                new NoPrimary("gone"), 0, List.of());

        assertThat(report.primary().live()).isFalse();
        assertThat(report.route().nodeId()).isNull();
        assertThat(report.route().reason()).isEqualTo("gone");
        assertThat(report.route().zookeeper()).isEqualTo(ZkLink.SUSPENDED);
    }

    @Test
    void shouldReportNullPrimaryWhenThereIsNoRecord() {
        StatusReport report = StatusReport.of("c1", ClusterView.EMPTY, ZkLink.CONNECTED, new NoPrimary("none"), 0, List.of());

        assertThat(ClusterJson.toString(report)).contains("\"primary\":null").contains("\"members\":[]").contains("\"history\":[]");
    }
}
