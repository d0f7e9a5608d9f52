package io.understudy.launcher.importer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImportRulesTest {

    /** A cluster that may take the import of schema {@code app} with files; each row breaks one fact. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            everything holds            | GO
            no primary                  | the cluster has no live primary
            node b not configured       | no configuration for node b (give --node-config FILE for every node)
            b snapshotting              | secondary b is taking a fresh copy (SNAPSHOTTING)
            app not in source           | schema app is not in the source
            app exists on target        | schema app already exists on the primary a; the import only loads into schemas that do not exist yet
            app not captured            | schema app is not replicated by the cluster: add app.* to replication.include on every node
            noPrimaryKey refuse         | replication.noPrimaryKey is refuse on the primary
            b lacks role shop           | node b lacks the role(s) shop owning imported objects
            no filesDir                 | --files was given but the primary a has no app.filesDir
            filesDir not empty          | the primary's app.filesDir /srv/files already holds 3 file(s)
            """)
    void shouldRefuseWithTheBrokenRuleNamed(String broken, String expected) {
        ImportRules.Verdict verdict = ImportRules.check(facts(broken));

        if (expected.equals("GO")) {
            assertThat(verdict).isInstanceOf(ImportRules.Go.class);
        } else {
            assertThat(verdict).isInstanceOf(ImportRules.Refuse.class);
            assertThat(((ImportRules.Refuse) verdict).problems()).hasSize(1).first().asString().contains(expected);
        }
    }

    private static ImportRules.Facts facts(String broken) {
        boolean files = !broken.equals("no filesDir");
        return new ImportRules.Facts(
                broken.equals("no primary") ? Optional.empty() : Optional.of("a"),
                Map.of("a", "PRIMARY", "b", "SECONDARY"),
                broken.equals("node b not configured") ? Set.of("a") : Set.of("a", "b"),
                broken.equals("b snapshotting") ? List.of("b") : List.of(),
                List.of("app"),
                broken.equals("app not in source") ? Set.of() : Set.of("app"),
                broken.equals("app exists on target") ? Set.of("app") : Set.of(),
                broken.equals("app not captured") ? Set.of() : Set.of("app"),
                broken.equals("noPrimaryKey refuse"),
                broken.equals("b lacks role shop") ? Map.of("a", Set.of(), "b", Set.of("shop")) : Map.of(),
                new ImportRules.Files(true, files ? Optional.of("/srv/files") : Optional.empty(),
                        broken.equals("filesDir not empty") ? 3 : 0));
    }
}
