package io.understudy.failoverswitch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.understudy.cluster.ClusterJson;
import io.understudy.cluster.CommandRecord;
import io.understudy.cluster.HistoryRecord;
import io.understudy.cluster.Role;
import io.understudy.cluster.RosterEntry;
import io.understudy.cluster.SyncStandbys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /_understudy/members} against real ZooKeeper and HTTP: the early refusals, the wait for the primary, and
 * readmission. The test plays the primary's part of a removal (mark the roster, remove the command, record history);
 * the node's own part runs in the launcher's real-process tests.
 */
class MembersIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String TOKEN = "test-token-0123456789";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private ClusterFixture cluster;
    private EchoBackend a;
    private SwitchServer server;

    @BeforeEach
    void start() throws Exception {
        cluster = new ClusterFixture();
        a = new EchoBackend("A");
        cluster.promote("a", a.url(), 3);
        cluster.register("b", "http://127.0.0.1:1", Role.SECONDARY, 3);
        for (String id : List.of("a", "b", "c")) {
            roster(id, RosterEntry.State.MEMBER);
        }
        server = cluster.startSwitch(Map.of("switch.adminToken", TOKEN));
        await().atMost(WAIT).until(() -> "a".equals(server.status().route().nodeId()));
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        a.close();
        cluster.close();
    }

    private void roster(String id, RosterEntry.State state) throws Exception {
        byte[] entry = ClusterJson.toBytes(new RosterEntry(id, state, 0, state == RosterEntry.State.REMOVED ? "by test" : "joined"));
        if (cluster.curator.checkExists().forPath(cluster.paths.rosterEntry(id)) == null) {
            cluster.curator.create().creatingParentContainersIfNeeded().forPath(cluster.paths.rosterEntry(id), entry);
        } else {
            cluster.curator.setData().forPath(cluster.paths.rosterEntry(id), entry);
        }
    }

    private HttpResponse<String> post(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString("{\"reason\":\"host retired\"}"));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return ClusterJson.MAPPER.readTree(response.body());
    }

    /** Waits for the one command under /commands and returns its znode name and record. */
    private Map.Entry<String, CommandRecord> awaitCommand() {
        return await().atMost(WAIT).until(() -> {
            List<String> children = cluster.curator.getChildren().forPath(cluster.paths.commands());
            if (children.isEmpty()) {
                return null;
            }
            byte[] data = cluster.curator.getData().forPath(cluster.paths.commands() + "/" + children.get(0));
            return Map.entry(children.get(0), ClusterJson.fromBytes(data, CommandRecord.class));
        }, e -> e != null);
    }

    /** What the primary does once it has handled the command. */
    private void completeAsPrimary(String znode, CommandRecord command, String outcome) throws Exception {
        cluster.curator.delete().forPath(cluster.paths.commands() + "/" + znode);
        cluster.curator.create().creatingParentContainersIfNeeded().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
                .forPath(cluster.paths.historyEntry(), ClusterJson.toBytes(new HistoryRecord(HistoryRecord.Type.COMMAND, "a",
                        null, 3, 0, "command " + command.id() + " (REMOVE_MEMBER) from test: " + outcome)));
    }

    @Test
    void shouldRefuseBeforeWritingAnythingWhatCannotSucceed() throws Exception {
        assertThat(post("/_understudy/members/c/remove", null).statusCode()).isEqualTo(401);
        assertThat(post("/_understudy/members/c/remove", "wrong").statusCode()).isEqualTo(401);

        HttpResponse<String> primary = post("/_understudy/members/a/remove", TOKEN);
        assertThat(primary.statusCode()).isEqualTo(409);
        assertThat(json(primary).path("error").asText()).isEqualTo("is_primary");
        assertThat(json(primary).path("message").asText()).isEqualTo("a is the primary; switch over to another node first");

        HttpResponse<String> unknown = post("/_understudy/members/x/remove", TOKEN);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).path("error").asText()).isEqualTo("unknown_node");

        cluster.curator.create().forPath(cluster.paths.sync(), ClusterJson.toBytes(new SyncStandbys("a", 3, List.of("b"), 0)));
        await().atMost(WAIT).until(() -> post("/_understudy/members/b/remove", TOKEN).statusCode() == 409);
        assertThat(json(post("/_understudy/members/b/remove", TOKEN)).path("error").asText()).isEqualTo("only_sync_standby");

        roster("c", RosterEntry.State.REMOVED);
        await().atMost(WAIT).until(() -> json(post("/_understudy/members/b/remove", TOKEN)).path("error").asText()
                .equals("too_few_nodes"));
        assertThat(json(post("/_understudy/members/b/remove", TOKEN)).path("message").asText())
                .isEqualTo("removing b would leave 1 node; the cluster keeps at least 2");

        HttpResponse<String> again = post("/_understudy/members/c/remove", TOKEN);
        assertThat(again.statusCode()).as("already removed: nothing to do").isEqualTo(200);
        assertThat(json(again).path("removed").asBoolean()).isTrue();
        assertThat(cluster.curator.getChildren().forPath(cluster.paths.commands())).as("no command written").isEmpty();
    }

    @Test
    void shouldWaitForThePrimaryAndAnswerWhatItDid() throws Exception {
        CompletableFuture<HttpResponse<String>> removal = CompletableFuture.supplyAsync(() -> call("/_understudy/members/c/remove"));
        Map.Entry<String, CommandRecord> written = awaitCommand();
        assertThat(written.getValue().type()).isEqualTo(CommandRecord.Type.REMOVE_MEMBER);
        assertThat(written.getValue().targetNodeId()).isEqualTo("c");
        assertThat(written.getValue().reason()).isEqualTo("host retired");
        assertThat(written.getValue().expectedEpoch()).isEqualTo(3);
        roster("c", RosterEntry.State.REMOVED);
        completeAsPrimary(written.getKey(), written.getValue(), "done: c removed, slot and publication understudy_c dropped");

        HttpResponse<String> done = removal.get();
        assertThat(done.statusCode()).isEqualTo(200);
        assertThat(json(done).path("nodeId").asText()).isEqualTo("c");
        assertThat(json(done).path("removed").asBoolean()).isTrue();
        assertThat(json(done).path("message").asText()).contains("slot and publication understudy_c dropped");
        assertThat(json(done).path("command").path("id").asText()).isEqualTo(written.getValue().id());

        HttpResponse<String> members = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/_understudy/members")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(json(members).path("members").findValuesAsText("state")).containsExactly("MEMBER", "MEMBER", "REMOVED");
    }

    @Test
    void shouldPassOnARefusalOfThePrimary() throws Exception {
        CompletableFuture<HttpResponse<String>> removal = CompletableFuture.supplyAsync(() -> call("/_understudy/members/c/remove"));
        Map.Entry<String, CommandRecord> written = awaitCommand();
        completeAsPrimary(written.getKey(), written.getValue(), "refused: c is the only synchronous standby");
        HttpResponse<String> refused = removal.get();
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(json(refused).path("error").asText()).isEqualTo("refused");
        assertThat(json(refused).path("message").asText()).contains("refused: c is the only synchronous standby");
    }

    @Test
    void shouldReadmitOnlyARemovedNode() throws Exception {
        HttpResponse<String> notRemoved = post("/_understudy/members/c/readmit", TOKEN);
        assertThat(notRemoved.statusCode()).isEqualTo(200);
        assertThat(json(notRemoved).path("readmitted").asBoolean()).isFalse();
        assertThat(cluster.curator.checkExists().forPath(cluster.paths.rosterEntry("c"))).isNotNull();

        roster("c", RosterEntry.State.REMOVED);
        HttpResponse<String> readmitted = post("/_understudy/members/c/readmit", TOKEN);
        assertThat(json(readmitted).path("readmitted").asBoolean()).isTrue();
        assertThat(cluster.curator.checkExists().forPath(cluster.paths.rosterEntry("c"))).as("the entry is gone").isNull();
        assertThat(post("/_understudy/members/c/readmit", null).statusCode()).isEqualTo(401);
    }

    private HttpResponse<String> call(String path) {
        try {
            return post(path, TOKEN);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
