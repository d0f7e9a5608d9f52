package io.understudy.failoverswitch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.understudy.cluster.Headers;
import io.understudy.cluster.Role;
import io.understudy.cluster.zk.ZkAuth;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A switch set up for separate hosts: reads the cluster's protected znodes, and vouches for its requests to the nodes. */
class SwitchSecurityIT {

    private static final String AUTH = "digest:understudy:zk-secret-0123456789";
    private static final String NODE_TOKEN = "node-token-0123456789abcdef";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private ClusterFixture cluster;
    private EchoBackend node;
    private SwitchServer server;

    @BeforeEach
    void start() throws Exception {
        cluster = new ClusterFixture(new ZkAuth("understudy", "zk-secret-0123456789"));
        node = new EchoBackend("A");
        cluster.promote("a", node.url(), 1);
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        node.close();
        cluster.close();
    }

    @Test
    void shouldSendTheNodeTokenInsteadOfAnyTheClientSent() throws Exception {
        server = cluster.startSwitch(Map.of("zookeeper.auth", AUTH, "switch.nodeToken", NODE_TOKEN));
        await().atMost(Duration.ofSeconds(10)).until(() -> send(null).statusCode() == 200);

        assertThat(echo(send(null)).path("token").asText()).isEqualTo(NODE_TOKEN);
        assertThat(echo(send("forged-by-a-client-123")).path("token").asText()).isEqualTo(NODE_TOKEN);
    }

    @Test
    void shouldPassNoClientTokenOnWithoutOneOfItsOwn() throws Exception {
        server = cluster.startSwitch(Map.of("zookeeper.auth", AUTH));
        await().atMost(Duration.ofSeconds(10)).until(() -> send(null).statusCode() == 200);

        assertThat(echo(send("forged-by-a-client-123")).path("token").isNull()).isTrue();
    }

    @Test
    void shouldNotStartWithoutTheCredentialsTheClusterIsProtectedWith() throws Exception {
        cluster.register("b", node.url(), Role.SECONDARY, 1);
        assertThatThrownBy(() -> server = cluster.startSwitch(Map.of("zookeeper.connectionTimeoutMs", "2000")))
                .isInstanceOf(KeeperException.NoAuthException.class);
    }

    private HttpResponse<String> send(String clientToken) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/objects/x"))
                .timeout(Duration.ofSeconds(10)).PUT(HttpRequest.BodyPublishers.ofString("{}"));
        if (clientToken != null) {
            request.header(Headers.TOKEN, clientToken);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode echo(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).isEqualTo(200);
        return new ObjectMapper().readTree(response.body());
    }
}
