package io.understudy.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.understudy.cluster.config.ConfigException;
import io.understudy.cluster.config.Settings;
import io.understudy.node.duties.Duty;
import io.understudy.node.supervise.SupervisionSettings;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeConfigTest {

    private static Map<String, String> minimal() {
        Map<String, String> m = new HashMap<>();
        m.put("node.id", "b");
        m.put("zookeeper.connect", "127.0.0.1:2181");
        m.put("db.url", "jdbc:postgresql://127.0.0.1:15433/postgres");
        return m;
    }

    @Test
    void shouldDeriveDefaultsFromTheMinimalFile() {
        NodeConfig c = NodeConfig.from(Settings.of("node-b.properties", minimal()));
        assertThat(c.apiAdvertisedUrl()).isEqualTo("http://127.0.0.1:8081");
        assertThat(c.dbAdvertisedAddress()).isEqualTo("127.0.0.1:15433/postgres");
        assertThat(c.replicationName()).isEqualTo("understudy_b");
        assertThat(c.replicationPollIntervalMs()).isEqualTo(2);
        assertThat(c.clusterName()).isEqualTo("local");
    }

    @Test
    void shouldNameTheFileAndKeyOfEveryProblem() {
        Map<String, String> bad = minimal();
        bad.put("api.port", "http");
        assertThatThrownBy(() -> NodeConfig.from(Settings.of("node-b.properties", bad)))
                .isInstanceOf(ConfigException.class)
                .hasMessage("node-b.properties: api.port: must be a whole number, got 'http'");

        Map<String, String> noDb = minimal();
        noDb.remove("db.url");
        assertThatThrownBy(() -> NodeConfig.from(Settings.of("n.properties", noDb))).hasMessage("n.properties: db.url: is required");

        Map<String, String> wrongDb = minimal();
        wrongDb.put("db.url", "postgres://x");
        assertThatThrownBy(() -> NodeConfig.from(Settings.of("n.properties", wrongDb))).hasMessageStartingWith("n.properties: db.url:");

        Map<String, String> typo = minimal();
        typo.put("zookeeper.sesionTimeoutMs", "4000");
        assertThatThrownBy(() -> NodeConfig.from(Settings.of("n.properties", typo)))
                .hasMessageStartingWith("n.properties: zookeeper.sesionTimeoutMs: unknown key");

        Map<String, String> badId = minimal();
        badId.put("node.id", "no/slash");
        assertThatThrownBy(() -> NodeConfig.from(Settings.of("n.properties", badId))).hasMessageStartingWith("n.properties: node.id:");
    }

    @Test
    void shouldReadTagsAndTheDatabaseFailTimeoutWithDefaultsAndNameBadValues() {
        NodeConfig defaults = NodeConfig.from(Settings.of("node-b.properties", minimal()));
        assertThat(defaults.tags()).isEqualTo(new io.understudy.node.role.Fitness.Tags(false, 100));
        assertThat(defaults.dbFailTimeoutMs()).isEqualTo(3000);

        Map<String, String> tagged = minimal();
        tagged.put("tags.nofailover", "true");
        tagged.put("tags.priority", "0");
        tagged.put("db.failTimeoutMs", "1500");
        NodeConfig c = NodeConfig.from(Settings.of("node-b.properties", tagged));
        assertThat(c.tags()).isEqualTo(new io.understudy.node.role.Fitness.Tags(true, 0));
        assertThat(c.dbFailTimeoutMs()).isEqualTo(1500);

        Map<String, String> negative = minimal();
        negative.put("tags.priority", "-1");
        assertThatThrownBy(() -> NodeConfig.from(Settings.of("node-b.properties", negative)))
                .hasMessage("node-b.properties: tags.priority: must be between 0 and 1000000, got -1");
        Map<String, String> notBool = minimal();
        notBool.put("tags.nofailover", "maybe");
        assertThatThrownBy(() -> NodeConfig.from(Settings.of("node-b.properties", notBool)))
                .hasMessage("node-b.properties: tags.nofailover: must be true or false, got 'maybe'");
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}={1} -> {2}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
            "replication.include      | public.*          | node-b.properties: replication.include: 'public.*' names schema public",
            "replication.include      | app               | node-b.properties: replication.include: 'app' is not a schema.table pattern",
            "replication.exclude      | app.a, understudy.x | node-b.properties: replication.exclude: 'understudy.x' names schema understudy",
            "replication.noPrimaryKey | skip              | node-b.properties: replication.noPrimaryKey: must be 'full' or 'refuse', got 'skip'",
            "replication.sequenceGap  | -1                | node-b.properties: replication.sequenceGap: must be between 0 and 1099511627776, got -1",
    })
    void shouldNameTheFileAndKeyOfABadReplicationScope(String key, String value, String message) {
        Map<String, String> bad = minimal();
        bad.put(key, value);
        assertThatThrownBy(() -> NodeConfig.from(Settings.of("node-b.properties", bad)))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith(message);
    }

    @Test
    void shouldReadTheReplicationScope() {
        Map<String, String> m = minimal();
        m.put("replication.include", "app.*, billing.invoices");
        m.put("replication.exclude", "app.audit_log");
        m.put("replication.noPrimaryKey", "refuse");
        NodeConfig c = NodeConfig.from(Settings.of("node-b.properties", m));

        assertThat(c.scope().scope(java.util.List.of("public.objects")).toString())
                .isEqualTo("include=[app.*, billing.invoices] exclude=[app.audit_log] noPrimaryKey=refuse");
        assertThat(NodeConfig.from(Settings.of("node-b.properties", minimal())).scope().include()).isEmpty();
    }

    @Test
    void shouldReadHooksTheApplicationAndDutiesWithDefaults() {
        NodeConfig defaults = NodeConfig.from(Settings.of("node-b.properties", minimal()));
        assertThat(defaults.hooks().onPrimary()).isNull();
        assertThat(defaults.hooks().timeoutMs()).isEqualTo(30_000);
        assertThat(defaults.supervision().enabled()).isFalse();
        assertThat(defaults.supervision().runOn()).isEqualTo(SupervisionSettings.RunOn.PRIMARY);
        assertThat(defaults.supervision().restartBackoffMs()).isEqualTo(1000);
        assertThat(defaults.duties().duties()).isEmpty();

        Map<String, String> m = minimal();
        m.put("hooks.onPrimary", "echo up");
        m.put("hooks.timeoutMs", "5000");
        m.put("app.command", "exec ./server");
        m.put("app.runOn", "all");
        m.put("duties.backup.schedule", "0 2 * * *");
        m.put("duties.backup.command", "pg_dump -Fc -f /tmp/x.dump");
        m.put("duties.report-9.schedule", "*/10 * * * * *");
        m.put("duties.report-9.command", "true");
        m.put("duties.report-9.timeoutMs", "2000");
        NodeConfig c = NodeConfig.from(Settings.of("node-b.properties", m));
        assertThat(c.hooks().command(io.understudy.node.hooks.Hook.ON_PRIMARY)).isEqualTo("echo up");
        assertThat(c.hooks().timeoutMs()).isEqualTo(5000);
        assertThat(c.supervision().runOn()).isEqualTo(SupervisionSettings.RunOn.ALL);
        assertThat(c.duties().duties()).extracting(Duty::name, d -> d.schedule().toString(), Duty::timeoutMs)
                .containsExactly(tuple("backup", "0 2 * * *", 3_600_000L), tuple("report-9", "*/10 * * * * *", 2000L));
    }

    @Test
    void shouldNameTheKeyOfABadHookApplicationOrDutySetting() {
        assertThatThrownBy(() -> NodeConfig.from(Settings.of("n.properties", with("duties.backup.schedule", "0 25 * * *",
                "duties.backup.command", "true"))))
                .hasMessageStartingWith("n.properties: duties.backup.schedule: not a valid cron expression '0 25 * * *'");
        assertThatThrownBy(() -> NodeConfig.from(Settings.of("n.properties", with("duties.backup.schedule", "0 2 * * *"))))
                .hasMessage("n.properties: duties.backup.command: is required");
        assertThatThrownBy(() -> NodeConfig.from(Settings.of("n.properties", with("duties.backup.scedule", "0 2 * * *"))))
                .hasMessageStartingWith("n.properties: duties.backup.scedule: unknown key")
                .hasMessageContaining("duties.<name>.[command, schedule, timeoutMs]");
        assertThatThrownBy(() -> NodeConfig.from(Settings.of("n.properties", with("duties.a/b.command", "true"))))
                .hasMessageStartingWith("n.properties: duties.a/b.command: duty name must match");
        assertThatThrownBy(() -> NodeConfig.from(Settings.of("n.properties", with("app.command", "x", "app.runOn", "some"))))
                .hasMessage("n.properties: app.runOn: must be one of [PRIMARY, ALL], got 'some'");
        assertThatThrownBy(() -> NodeConfig.from(Settings.of("n.properties", with("hooks.onPromote", "x"))))
                .hasMessageStartingWith("n.properties: hooks.onPromote: unknown key");
        assertThatThrownBy(() -> NodeConfig.from(Settings.of("n.properties", with("hooks.timeoutMs", "0"))))
                .hasMessage("n.properties: hooks.timeoutMs: must be between 100 and 3600000, got 0");
    }

    private static Map<String, String> with(String... keyValues) {
        Map<String, String> m = minimal();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }
}
