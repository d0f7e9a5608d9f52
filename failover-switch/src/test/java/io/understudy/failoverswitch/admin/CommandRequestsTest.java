package io.understudy.failoverswitch.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.understudy.cluster.ClusterJson;
import io.understudy.cluster.ClusterView;
import io.understudy.cluster.CommandRecord;
import io.understudy.cluster.CommandRecord.Type;
import io.understudy.cluster.MemberRecord;
import io.understudy.cluster.PrimaryRecord;
import io.understudy.cluster.Role;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CommandRequestsTest {

    private static final ClusterView VIEW = new ClusterView(
            Optional.of(new PrimaryRecord("a", "http://a", "db", 3, 0, null, 0)),
            List.of(member("a", Role.PRIMARY), member("b", Role.SECONDARY)));

    private static MemberRecord member(String id, Role role) {
        return new MemberRecord(id, "http://" + id, "db", role, 3, 0, -1, true, "t", 0);
    }

    private static JsonNode json(String text) throws Exception {
        return ClusterJson.MAPPER.readTree(text);
    }

    private static CommandRequests.Result build(Type type, String body) throws Exception {
        return CommandRequests.build(type, body == null ? null : json(body), VIEW, "id-1", "switch@x", 5);
    }

    private static void assertRejected(CommandRequests.Result result, int status, String error) {
        assertThat(result).isInstanceOfSatisfying(CommandRequests.Rejected.class, r -> {
            assertThat(r.status()).isEqualTo(status);
            assertThat(r.error()).isEqualTo(error);
        });
    }

    @Test
    void shouldAcceptSwitchoverToARegisteredSecondaryFencedByTheCurrentEpoch() throws Exception {
        assertThat(build(Type.SWITCHOVER, "{\"to\":\"b\",\"reason\":\"patching a\"}")).isEqualTo(
                new CommandRequests.Accepted(new CommandRecord("id-1", Type.SWITCHOVER, "b", 3, "switch@x", 5, "patching a")));
    }

    @Test
    void shouldAcceptFailoverPauseAndResumeWithoutBody() throws Exception {
        assertThat(build(Type.FAILOVER, null)).isInstanceOf(CommandRequests.Accepted.class);
        assertThat(build(Type.PAUSE, null)).isInstanceOf(CommandRequests.Accepted.class);
        assertThat(build(Type.RESUME, "{\"expectedEpoch\":0}")).isInstanceOf(CommandRequests.Accepted.class);
    }

    @Test
    void shouldRefuseTheWarmUpsSwitchoverForItsBodyAloneEvenToANodeOfThatName() throws Exception {
        ClusterView withThatNode = new ClusterView(VIEW.primary(), List.of(member("a", Role.PRIMARY),
                member("understudy-warm-up", Role.SECONDARY)));

        CommandRequests.Result result = CommandRequests.build(Type.SWITCHOVER, json(AdminWarmUp.REFUSED_BODY),
                withThatNode, "id-1", "switch@x", 5);

        assertRejected(result, 400, "bad_request");
    }

    @Test
    void shouldRejectWhatCannotBeCarriedOut() throws Exception {
        assertRejected(build(Type.SWITCHOVER, null), 400, "bad_request");
        assertRejected(build(Type.SWITCHOVER, "[1]"), 400, "bad_request");
        assertRejected(build(Type.SWITCHOVER, "{\"to\":\"zz\"}"), 409, "unknown_node");
        assertRejected(build(Type.SWITCHOVER, "{\"to\":\"a\"}"), 409, "already_primary");
        assertRejected(build(Type.SWITCHOVER, "{\"to\":\"b\",\"expectedEpoch\":2}"), 409, "epoch_changed");
        assertRejected(build(Type.SWITCHOVER, "{\"to\":\"b\",\"expectedEpoch\":\"three\"}"), 400, "bad_request");
        assertRejected(build(Type.PAUSE, "{\"to\":\"b\"}"), 400, "bad_request");
        assertRejected(CommandRequests.build(Type.FAILOVER, null, ClusterView.EMPTY, "i", "s", 0), 409, "no_primary");
    }
}
