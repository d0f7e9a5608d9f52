package io.understudy.failoverswitch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.understudy.cluster.ClusterJson;
import io.understudy.cluster.MemberRecord;
import io.understudy.cluster.PrimaryRecord;
import io.understudy.cluster.ReplicationInfo;
import io.understudy.cluster.Role;
import io.understudy.cluster.config.Settings;
import io.understudy.cluster.zk.ZkPaths;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A switch stopped by SIGTERM answers what its clients send while it stops, then goes away. */
class SwitchDrainIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    /** Long enough for the test to send its next request on the open connection after the stop began. */
    private static final long QUIET_MS = 5000;

    private final ZkPaths paths = new ZkPaths("it");
    private TestingServer zk;
    private CuratorFramework curator;
    private EchoBackend a;
    private SwitchServer server;

    @BeforeEach
    void start() throws Exception {
        zk = new TestingServer(true);
        curator = CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryOneTime(100));
        curator.start();
        a = new EchoBackend("A");
        server = SwitchServer.start(SwitchConfig.from(Settings.of("test", Map.of(
                "cluster.name", "it", "zookeeper.connect", zk.getConnectString(), "switch.port", "0",
                "switch.holdTimeoutMs", "8000"))));
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        a.close();
        curator.close();
        zk.close();
    }

    @Test
    void shouldAnswerRequestsOnOpenConnectionsWithConnectionCloseWhileStopping() throws Exception {
        promoteA();
        int port = server.port();
        try (RawHttpConnection client = new RawHttpConnection(port)) {
            await().atMost(WAIT).until(() -> client.get("/before").status() == 200);
            assertThat(client.get("/before").headers()).doesNotContainEntry("connection", "close");

            CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> server.stopGracefully(QUIET_MS));
            await().atMost(WAIT).until(server::draining);
            assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);

            RawHttpConnection.Response during = client.get("/during");
            assertThat(during.status()).isEqualTo(200);
            assertThat(during.body()).contains("\"name\":\"A\"");
            assertThat(during.headers()).containsEntry("connection", "close");
            assertThatThrownBy(() -> client.get("/after-close")).isInstanceOf(IOException.class);

            stopping.get(WAIT.toMillis() + QUIET_MS, TimeUnit.MILLISECONDS);
        }
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
    }

    @Test
    void shouldAnswerARequestHeldForAPrimaryInsteadOfCuttingItOffWhenStopping() throws Exception {
        int port = server.port();
        try (RawHttpConnection client = new RawHttpConnection(port)) {
            CompletableFuture<RawHttpConnection.Response> held = CompletableFuture.supplyAsync(() -> {
                try {
                    return client.get("/held");
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(WAIT).until(() -> server.status().route().heldRequests() == 1);
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> server.stopGracefully(QUIET_MS));
            await().atMost(WAIT).until(server::draining);

            promoteA();

            RawHttpConnection.Response answer = held.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.body()).contains("\"name\":\"A\"");
            stopping.get(WAIT.toMillis() + QUIET_MS, TimeUnit.MILLISECONDS);
        }
    }

    private void promoteA() throws Exception {
        MemberRecord member = new MemberRecord("a", a.url(), "db", Role.PRIMARY, 1, 0, -1, true, "test", 0,
                ReplicationInfo.NONE, MemberRecord.Candidacy.UNKNOWN);
        curator.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL)
                .forPath(paths.member("a"), ClusterJson.toBytes(member));
        curator.create().creatingParentContainersIfNeeded()
                .forPath(paths.primary(), ClusterJson.toBytes(new PrimaryRecord("a", a.url(), "db", 1, 0, null, 0)));
    }
}
