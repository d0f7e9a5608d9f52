package io.understudy.failoverswitch.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.cluster.ClusterSettings;
import io.understudy.cluster.ClusterView;
import io.understudy.cluster.CommandRecord;
import io.understudy.cluster.MemberRecord;
import io.understudy.cluster.PrimaryRecord;
import io.understudy.cluster.QueuedCommand;
import io.understudy.cluster.Role;
import io.understudy.failoverswitch.routing.RouteDecision.NoPrimary;
import io.understudy.failoverswitch.routing.RouteDecision.Route;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RouteDeciderTest {

    private static final String A_URL = "http://127.0.0.1:9001";
    private static final String B_URL = "http://127.0.0.1:9002";

    private static PrimaryRecord primary(String nodeId, String apiUrl, long epoch) {
        return new PrimaryRecord(nodeId, apiUrl, "db", epoch, 0, null, 0);
    }

    private static MemberRecord member(String nodeId, String apiUrl, Role role) {
        return member(nodeId, apiUrl, role, 1);
    }

    private static MemberRecord member(String nodeId, String apiUrl, Role role, long epoch) {
        return new MemberRecord(nodeId, apiUrl, "db", role, epoch, 0, -1, true, "test", 0);
    }

    private static ClusterView view(PrimaryRecord primary, MemberRecord... members) {
        return new ClusterView(Optional.ofNullable(primary), List.of(members));
    }

    @Test
    void shouldRouteToLivePrimaryWithItsEpoch() {
        RouteDecision decision = RouteDecider.decide(
                view(primary("a", A_URL, 3), member("a", A_URL, Role.PRIMARY, 3), member("b", B_URL, Role.SECONDARY)),
                ZkLink.CONNECTED);

        assertThat(decision).isInstanceOfSatisfying(Route.class, route -> {
            assertThat(route.nodeId()).isEqualTo("a");
            assertThat(route.target()).isEqualTo(URI.create(A_URL));
            assertThat(route.epoch()).isEqualTo(3);
            assertThat(route.label()).isEqualTo("a@3");
        });
    }

    @Test
    void shouldCarryTheEpochOfTheRecord() {
        RouteDecision decision = RouteDecider.decide(
                view(primary("b", B_URL, 7), member("b", B_URL, Role.PRIMARY, 7)), ZkLink.CONNECTED);

        assertThat(decision).isInstanceOfSatisfying(Route.class, route -> assertThat(route.epoch()).isEqualTo(7));
    }

    @Test
    void shouldNotRouteToMemberStillInAnOlderEpoch() {
        RouteDecision decision = RouteDecider.decide(
                view(primary("b", B_URL, 7), member("b", B_URL, Role.PRIMARY, 6)), ZkLink.CONNECTED);

        assertThat(decision).isInstanceOfSatisfying(NoPrimary.class,
                none -> assertThat(none.reason())
                        .isEqualTo("primary b@7 is registered as PRIMARY in epoch 6, not as its primary"));
    }

    @Test
    void shouldRouteToSecondaryThatWroteTheRecordForANewerEpoch() {
        RouteDecision decision = RouteDecider.decide(
                view(primary("b", B_URL, 2), member("a", A_URL, Role.DEMOTED, 1), member("b", B_URL, Role.SECONDARY, 1)),
                ZkLink.CONNECTED);

        assertThat(decision).isInstanceOfSatisfying(Route.class, route -> {
            assertThat(route.nodeId()).isEqualTo("b");
            assertThat(route.epoch()).isEqualTo(2);
            assertThat(route.reason()).contains("b@2 holds /primary and is being promoted")
                    .contains("still says SECONDARY in epoch 1");
        });
    }

    @ParameterizedTest
    @CsvSource({"STARTING, 0", "DEMOTED, 1", "SECONDARY, 2", "SECONDARY, 3"})
    void shouldNotRouteToRecordOwnerThatIsNotBeingPromoted(Role role, long memberEpoch) {
        RouteDecision decision = RouteDecider.decide(
                view(primary("b", B_URL, 2), member("b", B_URL, role, memberEpoch)), ZkLink.CONNECTED);

        assertThat(decision).isInstanceOfSatisfying(NoPrimary.class,
                none -> assertThat(none.reason()).contains("b@2 is registered as " + role));
    }

    @Test
    void shouldNotRouteToDemotedPrimary() {
        RouteDecision decision = RouteDecider.decide(
                view(primary("a", A_URL, 2), member("a", A_URL, Role.DEMOTED, 2)), ZkLink.CONNECTED);

        assertThat(decision).isInstanceOfSatisfying(NoPrimary.class,
                none -> assertThat(none.reason()).contains("a@2 is registered as DEMOTED"));
    }

    @Test
    void shouldNotRouteWhenPrimaryNodeHasNoMember() {
        RouteDecision decision = RouteDecider.decide(
                view(primary("a", A_URL, 2), member("b", B_URL, Role.SECONDARY)), ZkLink.CONNECTED);

        assertThat(decision).isInstanceOfSatisfying(NoPrimary.class,
                none -> assertThat(none.reason()).contains("a@2").contains("not registered"));
    }

    @Test
    void shouldNotRouteWithoutPrimaryRecord() {
        RouteDecision decision = RouteDecider.decide(view(null, member("a", A_URL, Role.SECONDARY)), ZkLink.CONNECTED);

        assertThat(decision).isInstanceOfSatisfying(NoPrimary.class,
                none -> assertThat(none.reason()).isEqualTo("no /primary record"));
    }

    @Test
    void shouldNotRouteOnEmptyView() {
        assertThat(RouteDecider.decide(ClusterView.EMPTY, ZkLink.CONNECTED)).isInstanceOf(NoPrimary.class);
    }

    @Test
    void shouldKeepRoutingOnTheLastViewWhileSuspended() {
        RouteDecision decision = RouteDecider.decide(
                view(primary("a", A_URL, 1), member("a", A_URL, Role.PRIMARY, 1)), ZkLink.SUSPENDED);

        assertThat(decision).isInstanceOf(Route.class);
    }

    @Test
    void shouldHoldWhenSessionLostOrNotYetConnected() {
        ClusterView live = view(primary("a", A_URL, 1), member("a", A_URL, Role.PRIMARY));

        assertThat(RouteDecider.decide(live, ZkLink.LOST)).isInstanceOfSatisfying(NoPrimary.class,
                none -> assertThat(none.reason()).contains("session lost"));
        assertThat(RouteDecider.decide(live, ZkLink.CONNECTING)).isInstanceOf(NoPrimary.class);
    }

    @Test
    void shouldFallBackToMemberApiUrlWhenRecordHasNone() {
        RouteDecision decision = RouteDecider.decide(
                view(primary("a", null, 1), member("a", A_URL, Role.PRIMARY)), ZkLink.CONNECTED);

        assertThat(decision).isInstanceOfSatisfying(Route.class,
                route -> assertThat(route.target()).isEqualTo(URI.create(A_URL)));
    }

    @Test
    void shouldNotRouteToUnusableApiUrl() {
        for (String bad : new String[] {"", "not a url", "ftp://127.0.0.1:21", "/relative", "http://h:1/x?q=1"}) {
            RouteDecision decision = RouteDecider.decide(
                    view(primary("a", bad, 1), member("a", bad, Role.PRIMARY)), ZkLink.CONNECTED);
            assertThat(decision).as(bad).isInstanceOfSatisfying(NoPrimary.class,
                    none -> assertThat(none.reason()).contains("no usable apiUrl"));
        }
    }

    /** Blank cells are absent URLs; {@code -} as the target means no route. */
    @ParameterizedTest(name = "record api={0} app={1}, member api={2} app={3} -> {4}")
    @CsvSource({
            // no application anywhere: the built-in API, as before gateways existed
            "http://a:8081, ,              http://a:8081, ,              http://a:8081",
            // the primary fronts an application: its gateway gets the traffic
            "http://a:8081, http://a:9081, http://a:8081, http://a:9081, http://a:9081",
            // a record written without the gateway: the member's fills in, as for apiUrl
            "http://a:8081, ,              http://a:8081, http://a:9081, http://a:9081",
            "http://a:8081, http://a:9081, http://a:8081, ,              http://a:9081",
            "  ,            ,              http://a:8081, ,              http://a:8081",
            // an unusable gateway URL is not replaced by the built-in API: clients would reach the wrong application
            "http://a:8081, ftp://a:9081,  http://a:8081, ,              -",
            "http://a:8081, not a url,     http://a:8081, http://a:9081, -",
    })
    void shouldSendTrafficToTheApplicationGatewayWhenThePrimaryFrontsOne(String recordApi, String recordApp,
            String memberApi, String memberApp, String expected) {
        PrimaryRecord record = new PrimaryRecord("a", recordApi, "db", 4, 0, null, 0, recordApp);
        MemberRecord member = new MemberRecord("a", memberApi, "db", Role.PRIMARY, 4, 0, -1, true, "test", 0,
                io.understudy.cluster.ReplicationInfo.NONE, MemberRecord.Candidacy.UNKNOWN, memberApp);

        RouteDecision decision = RouteDecider.decide(view(record, member), ZkLink.CONNECTED);

        if (expected.equals("-")) {
            assertThat(decision).isInstanceOfSatisfying(NoPrimary.class,
                    none -> assertThat(none.reason()).contains("no usable appUrl"));
        } else {
            assertThat(decision).isInstanceOfSatisfying(Route.class, route -> {
                assertThat(route.target()).isEqualTo(URI.create(expected));
                assertThat(route.epoch()).isEqualTo(4);
            });
        }
    }

    @Test
    void shouldNormaliseTargetPortAndTrailingSlash() {
        assertThat(RouteDecider.parseTarget("http://node1")).contains(URI.create("http://node1:80"));
        assertThat(RouteDecider.parseTarget("http://node1:8081/")).contains(URI.create("http://node1:8081"));
        assertThat(RouteDecider.parseTarget("http://node1:8081/base/")).contains(URI.create("http://node1:8081/base"));
    }

    @Test
    void shouldCompareRoutesByNodeTargetAndEpochOnly() {
        Route a1 = new Route("a", URI.create(A_URL), 1, "one reason");

        assertThat(a1.sameTarget(new Route("a", URI.create(A_URL), 1, "another reason"))).isTrue();
        assertThat(a1.sameTarget(new Route("a", URI.create(A_URL), 2, "x"))).isFalse();
        assertThat(a1.sameTarget(new Route("a", URI.create(B_URL), 1, "x"))).isFalse();
        assertThat(a1.sameTarget(new Route("b", URI.create(A_URL), 1, "x"))).isFalse();
        assertThat(a1.sameTarget(null)).isFalse();
    }

    @Test
    void shouldExplainWhyNobodyTakesOverOnlyWhenThePrimaryIsGoneAndNobodyIsEligible() {
        io.understudy.cluster.PrimaryRecord a1 = new io.understudy.cluster.PrimaryRecord("a", "http://a:1", "db", 1, 0, null, 0);
        MemberRecord b = new MemberRecord("b", "http://b:1", "db", Role.SECONDARY, 1, 0, 5, true, "t", 0,
                io.understudy.cluster.ReplicationInfo.NONE, new MemberRecord.Candidacy(false, "tags.nofailover is set", 100, true, 0));
        ClusterView gone = new ClusterView(Optional.of(a1), List.of(b));
        RouteDecision decision = RouteDecider.decide(gone, ZkLink.CONNECTED);
        assertThat(RouteDecider.explained(decision, gone, ZkLink.CONNECTED).reason())
                .isEqualTo("primary a@1 is not registered under /members; no eligible candidate: b: tags.nofailover is set");
        assertThat(RouteDecider.explained(decision, gone, ZkLink.LOST)).isEqualTo(decision);
        assertThat(RouteDecider.explained(new NoPrimary("no /primary record"), ClusterView.EMPTY, ZkLink.CONNECTED).reason())
                .isEqualTo("no /primary record");

        MemberRecord ready = new MemberRecord("b", "http://b:1", "db", Role.SECONDARY, 1, 0, 5, true, "t", 0,
                io.understudy.cluster.ReplicationInfo.NONE, new MemberRecord.Candidacy(true, "streaming", 100, false, 0));
        ClusterView failingOver = new ClusterView(Optional.of(a1), List.of(ready));
        assertThat(RouteDecider.explained(RouteDecider.decide(failingOver, ZkLink.CONNECTED), failingOver, ZkLink.CONNECTED)
                .reason()).isEqualTo("primary a@1 is not registered under /members");
    }

    @ParameterizedTest(name = "{0} to {1} expecting epoch {2}, a is {3} -> hand-over pending: {4}")
    @CsvSource({
            // the live primary a@3 is asked to hand over: what it refuses now waits for epoch 4
            "SWITCHOVER, b,    0, PRIMARY, true",
            "SWITCHOVER, b,    3, PRIMARY, true",
            "FAILOVER,   ,     0, PRIMARY, true",
            "FAILOVER,   b,    3, PRIMARY, true",
            // a command a will refuse or complete without handing over: its gate may reopen
            "SWITCHOVER, b,    2, PRIMARY, false",
            "SWITCHOVER, a,    0, PRIMARY, false",
            "PAUSE,      ,     0, PRIMARY, false",
            "NONE,       ,     0, PRIMARY, false",
            // a has already demoted: nothing is routed to it any more
            "SWITCHOVER, b,    0, DEMOTED, false",
    })
    void shouldTellWhenTheLivePrimaryIsHandingOver(String type, String target, long expectedEpoch, Role roleOfA,
            boolean pending) {
        List<QueuedCommand> commands = type.equals("NONE") ? List.of() : List.of(new QueuedCommand("/commands/c-1",
                new CommandRecord("c-1", CommandRecord.Type.valueOf(type), target, expectedEpoch, "ops", 0, "test")));
        ClusterView view = new ClusterView(Optional.of(primary("a", A_URL, 3)),
                List.of(member("a", A_URL, roleOfA, 3), member("b", B_URL, Role.SECONDARY)), ClusterSettings.DEFAULTS, commands);

        assertThat(RouteDecider.handOverPending(view)).isEqualTo(pending);
    }
}
