package io.understudy.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ApplianceConfigTest {

    private static final Path DATA = Path.of("/srv/understudy");

    @Test
    void shouldUseTheDocumentedDefaults() {
        ApplianceConfig config = ApplianceConfig.defaults(DATA);
        assertThat(config.switchUrl()).isEqualTo("http://127.0.0.1:8080");
        assertThat(config.nodeApiUrl("a")).isEqualTo("http://127.0.0.1:8081");
        assertThat(config.nodeApiUrl("b")).isEqualTo("http://127.0.0.1:8082");
        assertThat(config.pgPort("a")).isEqualTo(15432);
        assertThat(config.pgPort("b")).isEqualTo(15433);
        assertThat(config.zookeeperConnect()).isEqualTo("127.0.0.1:12181,127.0.0.1:12182,127.0.0.1:12183");
        assertThat(config.clusterName()).isEqualTo("local");
    }

    @Test
    void shouldListEveryPortOnce() {
        assertThat(ApplianceConfig.defaults(DATA).ports())
                .hasSize(14)
                .doesNotHaveDuplicates()
                .contains(8080, 8081, 8082, 15432, 15433, 12181, 12183, 12281, 12283, 12381, 12383);
    }

    @Test
    void shouldNameWhatUsesEachPort() {
        ApplianceConfig config = ApplianceConfig.defaults(DATA);
        assertThat(config.portUses()).containsEntry(8080, "failover switch (--switch-port)")
                .containsEntry(12183, "ZooKeeper 3 clients (--zk-port)")
                .containsEntry(12381, "ZooKeeper 1 election (--zk-election-port)")
                .containsEntry(15433, "PostgreSQL b (--pg-port-b)");
    }

    @Test
    void shouldPlaceStateUnderTheDataDir() {
        ApplianceConfig config = ApplianceConfig.defaults(DATA);
        assertThat(config.zookeeperDir(2)).isEqualTo(DATA.resolve("zookeeper/2"));
        assertThat(config.postgresDir("b")).isEqualTo(DATA.resolve("postgres/b"));
        assertThat(config.nodeDataDir("a")).isEqualTo(DATA.resolve("node/a"));
        assertThat(config.logDir()).isEqualTo(DATA.resolve("logs"));
        assertThat(config.confDir()).isEqualTo(DATA.resolve("conf"));
    }

    @Test
    void shouldMakeTheDataDirAbsolute() {
        assertThat(ApplianceConfig.defaults(Path.of("data")).dataDir()).isAbsolute();
    }

    @Test
    void shouldRejectAPortUsedTwice() {
        assertThatThrownBy(() -> new ApplianceConfig(DATA, "local", 8080, 8080, 8082, 15432, 15433, 12181, 12281, 12381))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port 8080 is used twice");
    }

    @Test
    void shouldRejectZooKeeperRangesThatOverlap() {
        assertThatThrownBy(() -> new ApplianceConfig(DATA, "local", 8080, 8081, 8082, 15432, 15433, 12181, 12182, 12381))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("used twice");
    }

    @Test
    void shouldRejectAPortOutOfRangeNamingTheOption() {
        assertThatThrownBy(() -> new ApplianceConfig(DATA, "local", 8080, 8081, 8082, 15432, 15433, 65534, 12281, 12381))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--zk-port");
        assertThatThrownBy(() -> new ApplianceConfig(DATA, "local", 0, 8081, 8082, 15432, 15433, 12181, 12281, 12381))
                .hasMessageContaining("--switch-port");
    }

    @Test
    void shouldRejectAClusterNameThatIsNotAZnodeName() {
        assertThatThrownBy(() -> new ApplianceConfig(DATA, "a/b", 8080, 8081, 8082, 15432, 15433, 12181, 12281, 12381))
                .hasMessageContaining("--cluster");
    }

    @Test
    void shouldRejectAnUnknownNode() {
        assertThatThrownBy(() -> ApplianceConfig.defaults(DATA).nodeApiPort("c"))
                .hasMessageContaining("unknown node 'c'");
    }
}
