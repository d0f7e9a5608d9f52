package io.understudy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.cluster.MemberRecord.Candidacy;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FailoverOutlookTest {

    private static final PrimaryRecord A1 = new PrimaryRecord("a", "http://a", "a:1/db", 1, 0, null, 0);

    private static MemberRecord member(String id, Role role, boolean eligible, String reason) {
        return new MemberRecord(id, "http://" + id, id + ":1/db", role, 1, 0, -1, true, "t", 0, ReplicationInfo.NONE,
                new Candidacy(eligible, reason, 100, false, 0));
    }

    @Test
    void shouldListEligibleCandidatesButTheLivePrimaryAndNotBeBlockedWhileThePrimaryLives() {
        ClusterView view = new ClusterView(Optional.of(A1), List.of(member("a", Role.PRIMARY, true, "primary of epoch 1"),
                member("b", Role.SECONDARY, true, "streaming"), member("c", Role.SECONDARY, false, "tags.nofailover is set")));
        assertThat(FailoverOutlook.of(view)).isEqualTo(new FailoverOutlook(List.of("b"), null));
    }

    @Test
    void shouldSayWhyWhenThePrimaryIsGoneAndNobodyIsEligible() {
        ClusterView view = new ClusterView(Optional.of(A1), List.of(member("c", Role.SECONDARY, false, "tags.nofailover is set"),
                member("b", Role.SECONDARY, false, "lag 5242880 bytes > maxLagOnFailover 1048576")));
        assertThat(FailoverOutlook.of(view).blocked()).isEqualTo("no eligible candidate: b: lag 5242880 bytes > "
                + "maxLagOnFailover 1048576; c: tags.nofailover is set");
        assertThat(FailoverOutlook.of(new ClusterView(Optional.of(A1), List.of())).blocked())
                .isEqualTo("no eligible candidate: no member is registered");
    }

    @Test
    void shouldNotBeBlockedWhileACandidateIsEligible() {
        ClusterView view = new ClusterView(Optional.of(A1), List.of(member("a", Role.DEMOTED, false, "database unreachable"),
                member("b", Role.SECONDARY, true, "streaming")));
        assertThat(FailoverOutlook.of(view)).isEqualTo(new FailoverOutlook(List.of("b"), null));
    }

    @Test
    void shouldReadOldMemberRecordsAsUnknownCandidacyAndRoundTripNewOnes() {
        String old = "{\"nodeId\":\"b\",\"role\":\"SECONDARY\",\"epoch\":1,\"position\":7,\"lagMs\":-1,\"healthy\":true}";
        MemberRecord decoded = ClusterJson.fromBytes(old.getBytes(java.nio.charset.StandardCharsets.UTF_8), MemberRecord.class);
        assertThat(decoded.candidacy()).isEqualTo(Candidacy.UNKNOWN);
        MemberRecord fresh = member("b", Role.SECONDARY, true, "streaming");
        assertThat(ClusterJson.fromBytes(ClusterJson.toBytes(fresh), MemberRecord.class)).isEqualTo(fresh);
    }
}
