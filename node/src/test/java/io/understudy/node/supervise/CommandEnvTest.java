package io.understudy.node.supervise;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandEnvTest {

    private final CommandEnv env = new CommandEnv(Map.of("PATH", "/bin", "UNDERSTUDY_DB_PASSWORD", "secret",
            "UNDERSTUDY_NODE_ID", "other", "HOME", "/root"), "a", "local", "/data/a",
            "jdbc:postgresql://10.0.0.5:15432/meta?sslmode=disable", "postgres", "pw");

    @Test
    void shouldHandOnTheNodesEnvironmentWithoutItsConfigurationOverrides() {
        Map<String, String> e = env.forCommand(false, Map.of(CommandEnv.ROLE, "PRIMARY", CommandEnv.EPOCH, "4"));

        assertThat(e).containsEntry("PATH", "/bin").containsEntry("HOME", "/root")
                .containsEntry("UNDERSTUDY_NODE_ID", "a").containsEntry("UNDERSTUDY_CLUSTER", "local")
                .containsEntry("UNDERSTUDY_DATA_DIR", "/data/a").containsEntry("UNDERSTUDY_ROLE", "PRIMARY")
                .containsEntry("UNDERSTUDY_EPOCH", "4")
                .doesNotContainKeys("UNDERSTUDY_DB_PASSWORD", "PGHOST", "PGPASSWORD");
    }

    @Test
    void shouldGiveHooksAndDutiesTheNodesOwnDatabase() {
        assertThat(env.forCommand(true, Map.of())).containsEntry("PGHOST", "10.0.0.5").containsEntry("PGPORT", "15432")
                .containsEntry("PGDATABASE", "meta").containsEntry("PGUSER", "postgres").containsEntry("PGPASSWORD", "pw");
        CommandEnv noPassword = new CommandEnv(Map.of(), "a", "c", "/d", "jdbc:postgresql://h/db", "u", "");
        assertThat(noPassword.forCommand(true, Map.of())).containsEntry("PGPORT", "5432").doesNotContainKey("PGPASSWORD");
    }
}
