package io.understudy.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class UnderstudyCliTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = UnderstudyCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @Test
    void shouldListTheSubcommandsInHelp() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("local", "node", "switch");
    }

    @Test
    void shouldShowLocalDefaults() {
        assertThat(run("local", "--help")).isZero();
        assertThat(out.toString()).contains("--data-dir", "./data", "--switch-port", "8080", "15432", "12181");
        assertThat(out.toString()).doesNotContain("--exit-with-parent");
    }

    @Test
    void shouldRequireASubcommand() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).contains("subcommand is required");
    }

    @Test
    void shouldRequireConfigForNodeAndSwitch() {
        assertThat(run("node")).isEqualTo(2);
        assertThat(err.toString()).contains("--config");
        assertThat(run("switch")).isEqualTo(2);
    }

    @Test
    void shouldRejectConflictingPortsBeforeStartingAnything() {
        assertThat(run("local", "--switch-port", "8081")).isEqualTo(2);
        assertThat(err.toString()).contains("port 8081 is used twice");
    }

    @Test
    void shouldRefuseANodeConfigFileItCannotReadBeforeStartingAnything() {
        assertThat(run("local", "--node-config", "/nonexistent/duties.properties")).isEqualTo(2);
        assertThat(err.toString()).contains("--node-config /nonexistent/duties.properties: cannot read");
    }

    @Test
    void shouldReadTheNodeSettingsThatBothNodesGet(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("duties.properties"), String.join("\n",
                "# nightly backup",
                "duties.backup.schedule=0 2 * * *",
                "duties.backup.command=pg_dump --format=custom --file=\"/tmp/x.dump\"",
                "app.runOn = all", ""));

        assertThat(LocalCommand.readNodeSettings(file)).containsExactly(
                Map.entry("app.runOn", "all"),
                Map.entry("duties.backup.command", "pg_dump --format=custom --file=\"/tmp/x.dump\""),
                Map.entry("duties.backup.schedule", "0 2 * * *"));
    }
}
