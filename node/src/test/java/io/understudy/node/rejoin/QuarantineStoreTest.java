package io.understudy.node.rejoin;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.cluster.ClusterJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuarantineStoreTest {

    @TempDir
    Path dir;

    private static QuarantineStore.Header header(Integer transactions, boolean complete) {
        return new QuarantineStore.Header("a", 3, "b", 4, 0x1_0000_0010L, Instant.parse("2026-11-22T03:15:00Z"), complete,
                "why", transactions, transactions == null ? null : 2 * transactions);
    }

    @Test
    void shouldWriteDurablyUnderAnIdNamingEpochNodeAndTimeAndListHeadersOnly() throws Exception {
        QuarantineStore store = new QuarantineStore(dir.resolve("quarantine"));
        String first = store.write(header(1, true), json -> json.writeObjectField("divergent", List.of(Map.of("x", 1))));
        String second = store.write(header(null, false), json -> json.writeObjectField("export", Map.of()));

        assertThat(first).isEqualTo("epoch-3-from-a-20261122T031500Z");
        assertThat(second).isEqualTo(first + "-2");
        try (var files = Files.list(dir.resolve("quarantine"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(first + ".json", second + ".json");
        }
        List<Map<String, Object>> list = store.list();
        assertThat(list).extracting(h -> h.get("id")).containsExactlyInAnyOrder(first, second);
        Map<String, Object> h = list.stream().filter(e -> e.get("id").equals(first)).findFirst().orElseThrow();
        assertThat(h).containsEntry("epoch", 3).containsEntry("transactions", 1).containsEntry("changes", 2)
                .containsEntry("complete", true).containsEntry("promotedFromPosition", "1/10")
                .containsEntry("createdAt", "2026-11-22T03:15:00Z").doesNotContainKey("divergent");
        assertThat(store.list().stream().filter(e -> e.get("id").equals(second)).findFirst().orElseThrow())
                .containsEntry("transactions", null).containsEntry("complete", false);

        Map<?, ?> full = ClusterJson.fromBytes(Files.readAllBytes(store.file(first).orElseThrow()), Map.class);
        assertThat(full.get("divergent")).isEqualTo(List.of(Map.of("x", 1)));
    }

    @Test
    void shouldFindNothingForIdsThatAreNotPlainNames() throws Exception {
        QuarantineStore store = new QuarantineStore(dir);
        Files.writeString(dir.resolve("secret.json"), "{}");
        assertThat(store.file("../" + dir.getFileName() + "/secret")).isEmpty();
        assertThat(store.file("secret")).isPresent();
        assertThat(store.file("")).isEmpty();
        assertThat(new QuarantineStore(dir.resolve("none")).list()).isEmpty();
    }
}
