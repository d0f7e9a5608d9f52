package io.understudy.cluster.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.understudy.cluster.config.ConfigException;
import io.understudy.cluster.config.Settings;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Znodes created with {@code zookeeper.auth} refuse every client without the credentials. */
class ZkAuthIT {

    private static final String PRIMARY = "/understudy/prod/primary";

    private TestingServer server;
    private CuratorFramework owner;
    private CuratorFramework anonymous;
    private CuratorFramework wrongPassword;

    @BeforeEach
    void start() throws Exception {
        server = new TestingServer(true);
        owner = client(ZkAuth.from(settings("digest:understudy:s3cret-s3cret-s3cret")));
        anonymous = client(null);
        wrongPassword = client(ZkAuth.from(settings("digest:understudy:guessed")));
    }

    @AfterEach
    void stop() throws Exception {
        owner.close();
        anonymous.close();
        wrongPassword.close();
        server.close();
    }

    @Test
    void shouldRefuseClientsWithoutTheCredentialsOnEveryZnodeTheOwnerCreated() throws Exception {
        owner.create().creatingParentContainersIfNeeded().forPath(PRIMARY, bytes("{\"nodeId\":\"a\",\"epoch\":1}"));

        for (CuratorFramework stranger : new CuratorFramework[] {anonymous, wrongPassword}) {
            assertThatThrownBy(() -> stranger.setData().forPath(PRIMARY, bytes("{\"nodeId\":\"x\",\"epoch\":9}")))
                    .isInstanceOf(KeeperException.NoAuthException.class);
            assertThatThrownBy(() -> stranger.getData().forPath(PRIMARY)).isInstanceOf(KeeperException.NoAuthException.class);
            assertThatThrownBy(() -> stranger.delete().forPath(PRIMARY)).isInstanceOf(KeeperException.NoAuthException.class);
            assertThatThrownBy(() -> stranger.create().forPath("/understudy/prod/commands"))
                    .isInstanceOf(KeeperException.NoAuthException.class);
            assertThatThrownBy(() -> stranger.getChildren().forPath("/understudy"))
                    .isInstanceOf(KeeperException.NoAuthException.class);
        }
        assertThat(new String(owner.getData().forPath(PRIMARY), StandardCharsets.UTF_8)).contains("\"nodeId\":\"a\"");
        owner.setData().forPath(PRIMARY, bytes("{\"nodeId\":\"b\",\"epoch\":2}"));
    }

    @Test
    void shouldLeaveZnodesOpenWithoutTheKey() {
        assertThat(ZkAuth.from(Settings.of("node.properties", Map.of()))).isNull();
        assertThat(ZkAuth.from(settings(""))).isNull();
    }

    @Test
    void shouldNameTheKeyAndHideTheValueOfABadSetting() {
        for (String bad : new String[] {"understudy:pw", "sasl:u:pw", "digest::pw", "digest:u:", "digest:u"}) {
            assertThatThrownBy(() -> ZkAuth.from(settings(bad))).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("node.properties").hasMessageContaining("zookeeper.auth")
                    .hasMessageNotContaining("pw");
        }
        assertThat(ZkAuth.from(settings("digest:u:pass:with:colons")).password()).isEqualTo("pass:with:colons");
        assertThat(ZkAuth.from(settings("digest:u:secret-value")).toString()).doesNotContain("secret-value");
    }

    private static Settings settings(String value) {
        return Settings.of("node.properties", Map.of(ZkAuth.KEY, value));
    }

    private CuratorFramework client(ZkAuth auth) {
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder()
                .connectString(server.getConnectString()).retryPolicy(new RetryOneTime(100));
        CuratorFramework client = (auth == null ? builder : auth.applyTo(builder)).build();
        client.start();
        return client;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
