package io.understudy.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApplianceNodesTest {

    @TempDir
    Path conf;

    @Test
    void shouldStartANewDataDirWithTheFirstIds() {
        assertThat(ApplianceNodes.choose(null, Optional.empty())).containsExactly("a", "b");
        assertThat(ApplianceNodes.choose(3, Optional.empty())).containsExactly("a", "b", "c");
    }

    @Test
    void shouldKeepWhatTheDataDirRuns() {
        Optional<List<String>> recorded = Optional.of(List.of("a", "c", "d"));
        assertThat(ApplianceNodes.choose(null, recorded)).containsExactly("a", "c", "d");
        assertThat(ApplianceNodes.choose(3, recorded)).containsExactly("a", "c", "d");
    }

    @Test
    void shouldGrowWithTheFirstFreeIds() {
        assertThat(ApplianceNodes.choose(5, Optional.of(List.of("a", "c", "d")))).containsExactly("a", "b", "c", "d", "e");
    }

    @Test
    void shouldRefuseToLeaveOutNodesOfTheDataDir() {
        assertThatThrownBy(() -> ApplianceNodes.choose(2, Optional.of(List.of("a", "b", "c"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--nodes 2 would leave out nodes of this data dir, which runs 3 (a, b, c)")
                .hasMessageContaining("understudy local remove-node");
        assertThatThrownBy(() -> ApplianceNodes.choose(12, Optional.of(List.of("a", "b"))))
                .hasMessageContaining("--nodes must be between 2 and 9, got 12");
    }

    @Test
    void shouldFindTheFirstFreeId() {
        assertThat(ApplianceNodes.nextFreeId(List.of("a", "b", "d"))).isEqualTo("c");
        assertThatThrownBy(() -> ApplianceNodes.nextFreeId(ApplianceConfig.allIds())).hasMessageContaining("at most 9 nodes");
    }

    @Test
    void shouldReadBackWhatItWrote() {
        assertThat(ApplianceNodes.read(conf)).isEmpty();
        ApplianceNodes.write(conf, List.of("a", "b", "e"));
        assertThat(ApplianceNodes.read(conf)).contains(List.of("a", "b", "e"));
    }

    @Test
    void shouldNameTheFileAndKeyOfABadRecord() throws Exception {
        Files.writeString(conf.resolve(ApplianceNodes.FILE), "nodes=a,zz\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> ApplianceNodes.read(conf))
                .hasMessageContaining(conf.resolve(ApplianceNodes.FILE).toString())
                .hasMessageContaining("key 'nodes'");
    }
}
