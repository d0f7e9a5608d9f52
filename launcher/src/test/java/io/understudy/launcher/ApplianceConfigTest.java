package io.understudy.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
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
    void shouldDeriveEachNodesPortsFromItsLetter() {
        ApplianceConfig config = config(8080, 8081, 15432, List.of("a", "c", "e"), 12181, 12281, 12381);
        assertThat(config.nodeIds()).containsExactly("a", "c", "e");
        assertThat(config.nodeApiUrl("e")).isEqualTo("http://127.0.0.1:8085");
        assertThat(config.pgPort("c")).isEqualTo(15434);
        assertThat(config.ports()).hasSize(1 + 3 + 3 + 9).contains(8081, 8083, 8085, 15432, 15434, 15436).doesNotContain(8082);
        assertThat(config.runs("b")).isFalse();
        assertThat(config.withNodes(List.of("a", "b", "c", "e")).nodeApiPort("b")).isEqualTo(8082);
    }

    @Test
    void shouldNumberNewAppliancesFromA() {
        assertThat(ApplianceConfig.firstIds(3)).containsExactly("a", "b", "c");
        assertThat(ApplianceConfig.firstIds(9)).endsWith("i");
        assertThatThrownBy(() -> ApplianceConfig.firstIds(1)).hasMessageContaining("--nodes must be between 2 and 9, got 1");
        assertThatThrownBy(() -> ApplianceConfig.firstIds(10)).hasMessageContaining("--nodes must be between 2 and 9, got 10");
    }

    @Test
    void shouldRejectANodeListOutOfRange() {
        assertThatThrownBy(() -> config(8080, 8081, 15432, List.of("a"), 12181, 12281, 12381))
                .hasMessageContaining("--nodes must be between 2 and 9");
        assertThatThrownBy(() -> config(8080, 8081, 15432, List.of("a", "j"), 12181, 12281, 12381))
                .hasMessageContaining("node ids are the letters a to i, got 'j'");
    }

    @Test
    void shouldRejectNodePortsThatRunIntoAnotherRange() {
        // node b's API would take the first ZooKeeper client port
        assertThatThrownBy(() -> config(8080, 12180, 15432, List.of("a", "b"), 12181, 12281, 12381))
                .hasMessageContaining("port 12181 is used twice");
        assertThatThrownBy(() -> config(8080, 65535, 15432, List.of("a", "b"), 12181, 12281, 12381))
                .hasMessageContaining("--node-port-base must leave its ports between 1 and 65535, got 65535 (up to 65536)");
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
                .containsEntry(8082, "node b API (--node-port-base)")
                .containsEntry(15433, "PostgreSQL b (--pg-port-base)");
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
        assertThatThrownBy(() -> new ApplianceConfig(DATA, "local", 8080, 8080, 15432, List.of("a", "b"), 12181, 12281, 12381))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port 8080 is used twice");
    }

    @Test
    void shouldRejectZooKeeperRangesThatOverlap() {
        assertThatThrownBy(() -> new ApplianceConfig(DATA, "local", 8080, 8081, 15432, List.of("a", "b"), 12181, 12182, 12381))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("used twice");
    }

    @Test
    void shouldRejectAPortOutOfRangeNamingTheOption() {
        assertThatThrownBy(() -> new ApplianceConfig(DATA, "local", 8080, 8081, 15432, List.of("a", "b"), 65534, 12281, 12381))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--zk-port");
        assertThatThrownBy(() -> new ApplianceConfig(DATA, "local", 0, 8081, 15432, List.of("a", "b"), 12181, 12281, 12381))
                .hasMessageContaining("--switch-port");
    }

    @Test
    void shouldRejectAClusterNameThatIsNotAZnodeName() {
        assertThatThrownBy(() -> new ApplianceConfig(DATA, "a/b", 8080, 8081, 15432, List.of("a", "b"), 12181, 12281, 12381))
                .hasMessageContaining("--cluster");
    }

    @Test
    void shouldRejectAnIdNoNodeCanHave() {
        assertThatThrownBy(() -> ApplianceConfig.defaults(DATA).nodeApiPort("z"))
                .hasMessageContaining("unknown node 'z'");
    }

    private static ApplianceConfig config(int switchPort, int nodeBase, int pgBase, List<String> ids, int zk, int quorum,
                                          int election) {
        return new ApplianceConfig(DATA, "local", switchPort, nodeBase, pgBase, ids, zk, quorum, election);
    }
}
