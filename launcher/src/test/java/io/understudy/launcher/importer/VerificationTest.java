package io.understudy.launcher.importer;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.launcher.importer.Verification.Census;
import io.understudy.launcher.importer.Verification.NodeCount;
import io.understudy.launcher.importer.Verification.Tally;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VerificationTest {

    /**
     * Loaded: app.orders 100 rows, app.log 5 rows (excluded from replication), 2 files / 30 bytes in docs/. The
     * secondary holds the given rows of app.orders, files and bytes of docs/; the primary always holds everything.
     */
    @ParameterizedTest(name = "secondary holds {0} rows, {1} files, {2} bytes -> matches {3}")
    @CsvSource(delimiter = '|', textBlock = """
            100 | 2 | 30 | true  |
            99  | 2 | 30 | false | b: app.orders 99 of 100 rows
            -1  | 2 | 30 | false | b: app.orders missing
            100 | 1 | 20 | false | b: files docs/ 1 / 20 B of 2 / 30 B
            100 | 2 | 31 | false | b: files docs/ 2 / 31 B of 2 / 30 B
            """)
    void shouldMatchOnlyWhenEveryReplicatedTableAndDirectoryIsEqual(long rows, long files, long bytes, boolean matches,
                                                                    String behind) {
        Map<String, Long> loaded = new LinkedHashMap<>();
        loaded.put("app.orders", 100L);
        loaded.put("app.log", 5L);
        Map<String, Tally> dirs = Map.of("docs/", new Tally(2, 30));
        Census primary = new Census(loaded, dirs);
        Map<String, Long> held = rows < 0 ? Map.of() : Map.of("app.orders", rows);
        Census secondary = new Census(held, Map.of("docs/", new Tally(files, bytes)));

        Verification.Report report = Verification.compare(loaded, Set.of("app.orders"), dirs, List.of(
                new NodeCount("a", true, Optional.of(primary), ""), new NodeCount("b", false, Optional.of(secondary), "")));

        assertThat(report.matches()).isEqualTo(matches);
        assertThat(report.behind()).isEqualTo(matches ? List.of() : List.of(behind));
        assertThat(report.table()).contains("| app.log rows ").contains("not replicated").contains("| a (primary) ");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            cannot read its database: connection refused
            """)
    void shouldNotMatchWhenANodeCannotBeRead(String error) {
        Verification.Report report = Verification.compare(Map.of("app.t", 1L), Set.of("app.t"), Map.of(),
                List.of(new NodeCount("b", false, Optional.empty(), error)));

        assertThat(report.matches()).isFalse();
        assertThat(report.behind()).containsExactly("b: " + error);
        assertThat(report.table()).contains("| app.t rows | 1      | ?");
    }
}
