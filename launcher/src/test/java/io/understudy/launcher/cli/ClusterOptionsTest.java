package io.understudy.launcher.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ClusterOptionsTest {

    @TempDir
    Path dir;

    private ClusterOptions parse(Map<String, String> env, String... args) {
        ClusterOptions options = new ClusterOptions();
        new CommandLine(options).parseArgs(args);
        return options.withEnv(env);
    }

    @Test
    void shouldTakeTheTokenFileFirstThenTheEnvironmentThenTheLocalAppliance() throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data.resolve("conf"));
        Files.writeString(data.resolve("conf/admin-token"), "local-token\n");
        Path file = Files.writeString(dir.resolve("token"), " file-token \n");
        Map<String, String> env = Map.of(ClusterOptions.TOKEN_ENV, "env-token");

        assertThat(parse(env, "--token-file", file.toString(), "--data-dir", data.toString()).token())
                .hasValueSatisfying(t -> assertThat(t.value()).isEqualTo("file-token"));
        assertThat(parse(env, "--data-dir", data.toString()).token())
                .hasValueSatisfying(t -> assertThat(t.source()).isEqualTo("$UNDERSTUDY_TOKEN"));
        assertThat(parse(Map.of(), "--data-dir", data.toString()).token())
                .hasValueSatisfying(t -> assertThat(t.value()).isEqualTo("local-token"));
        assertThat(parse(Map.of(), "--data-dir", dir.resolve("none").toString()).token()).isEmpty();
    }

    @Test
    void shouldRefuseAnEmptyOrMissingTokenFileAsAUsageError() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        assertThatThrownBy(() -> parse(Map.of(), "--token-file", empty.toString()).token())
                .isInstanceOfSatisfying(CliFailure.class, f -> assertThat(f.exitCode()).isEqualTo(2)).hasMessageContaining("empty");
        assertThatThrownBy(() -> parse(Map.of(), "--token-file", dir.resolve("nope").toString()).token())
                .isInstanceOf(CliFailure.class).hasMessageContaining("cannot read");
    }

    @Test
    void shouldDefaultToTheLocalApplianceAndDropATrailingSlash() {
        assertThat(parse(Map.of()).url()).isEqualTo("http://127.0.0.1:8080");
        assertThat(parse(Map.of(), "--url", "http://switch:9/").url()).isEqualTo("http://switch:9");
    }
}
