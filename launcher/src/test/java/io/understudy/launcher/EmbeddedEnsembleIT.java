package io.understudy.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedEnsembleIT {

    @TempDir
    Path dir;

    @Test
    void threeServersFormAQuorumServeClientsAndKeepDataAcrossRestart() throws Exception {
        List<EmbeddedEnsemble.Server> servers = servers();

        try (EmbeddedEnsemble ensemble = new EmbeddedEnsemble(servers)) {
            ensemble.start(Duration.ofSeconds(60));
            assertThat(ensemble.inQuorum()).isTrue();
            try (CuratorFramework client = client(ensemble.connectString())) {
                client.create().creatingParentsIfNeeded().forPath("/understudy/test/kept", "ünïcode ✓".getBytes(StandardCharsets.UTF_8));
                assertThat(new String(client.getData().forPath("/understudy/test/kept"), StandardCharsets.UTF_8))
                        .isEqualTo("ünïcode ✓");
                assertThat(client.getZookeeperClient().getZooKeeper().getSessionTimeout())
                        .as("a 4000 ms session is granted as asked").isEqualTo(4000);
            }
        }
        for (EmbeddedEnsemble.Server server : servers) {
            assertThat(Files.readString(server.dir().resolve("myid")).trim()).isEqualTo(Integer.toString(server.id()));
        }

        try (EmbeddedEnsemble ensemble = new EmbeddedEnsemble(servers)) {
            ensemble.start(Duration.ofSeconds(60));
            try (CuratorFramework client = client(ensemble.connectString())) {
                assertThat(new String(client.getData().forPath("/understudy/test/kept"), StandardCharsets.UTF_8))
                        .isEqualTo("ünïcode ✓");
            }
        }
    }

    private List<EmbeddedEnsemble.Server> servers() throws Exception {
        List<EmbeddedEnsemble.Server> servers = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            servers.add(new EmbeddedEnsemble.Server(id, dir.resolve("zookeeper/" + id), TestPorts.freePort(),
                    TestPorts.freePort(), TestPorts.freePort()));
        }
        return servers;
    }

    private static CuratorFramework client(String connect) throws InterruptedException {
        CuratorFramework client = CuratorFrameworkFactory.builder()
                .connectString(connect)
                .sessionTimeoutMs(4000)
                .connectionTimeoutMs(2000)
                .retryPolicy(new ExponentialBackoffRetry(100, 10))
                .build();
        client.start();
        assertThat(client.blockUntilConnected(30, TimeUnit.SECONDS)).isTrue();
        return client;
    }
}
