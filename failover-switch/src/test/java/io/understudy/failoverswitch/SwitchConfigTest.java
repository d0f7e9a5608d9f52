package io.understudy.failoverswitch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.understudy.cluster.config.ConfigException;
import io.understudy.cluster.config.Settings;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SwitchConfigTest {

    private static SwitchConfig parse(Map<String, String> values) {
        return SwitchConfig.from(Settings.of("switch.properties", values));
    }

    private static Map<String, String> with(String key, String value) {
        Map<String, String> values = new HashMap<>(Map.of("zookeeper.connect", "127.0.0.1:2181"));
        values.put(key, value);
        return values;
    }

    @Test
    void shouldApplyDefaults() {
        SwitchConfig config = parse(Map.of("zookeeper.connect", "127.0.0.1:2181"));

        assertThat(config).isEqualTo(new SwitchConfig("local", "127.0.0.1:2181", 4000, 2000, "127.0.0.1", 8080,
                5000, 1000, 30_000, 2));
    }

    @Test
    void shouldReadEveryKey() {
        SwitchConfig config = parse(Map.of(
                "cluster.name", "prod-1", "zookeeper.connect", "zk1:2181,zk2:2181/chroot",
                "zookeeper.sessionTimeoutMs", "6000", "zookeeper.connectionTimeoutMs", "1500",
                "switch.host", "0.0.0.0", "switch.port", "0", "switch.holdTimeoutMs", "250",
                "switch.maxHeldRequests", "3", "switch.backendTimeoutMs", "1000", "switch.ioThreads", "4"));

        assertThat(config).isEqualTo(new SwitchConfig("prod-1", "zk1:2181,zk2:2181/chroot", 6000, 1500, "0.0.0.0", 0,
                250, 3, 1000, 4));
    }

    @Test
    void shouldRejectUnknownKeyNamingIt() {
        assertThatThrownBy(() -> parse(with("switch.holdTimoutMs", "5")))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.key()).isEqualTo("switch.holdTimoutMs");
                    assertThat(e.getMessage()).startsWith("switch.properties: switch.holdTimoutMs: unknown key");
                });
    }

    @Test
    void shouldRequireZookeeperConnect() {
        assertThatThrownBy(() -> parse(Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("zookeeper.connect"));
    }

    @Test
    void shouldRejectBadValuesNamingTheKey() {
        Map<String, String> bad = Map.of(
                "cluster.name", "has/slash",
                "zookeeper.connect", "no-port",
                "zookeeper.sessionTimeoutMs", "10",
                "switch.host", "bad host",
                "switch.port", "70000",
                "switch.holdTimeoutMs", "-1",
                "switch.maxHeldRequests", "many",
                "switch.backendTimeoutMs", "0",
                "switch.ioThreads", "0");
        bad.forEach((key, value) -> {
            Map<String, String> values = key.equals("zookeeper.connect") ? Map.of(key, value) : with(key, value);
            assertThatThrownBy(() -> parse(values)).as(key + "=" + value)
                    .isInstanceOfSatisfying(ConfigException.class, e -> {
                        assertThat(e.key()).isEqualTo(key);
                        assertThat(e.getMessage()).contains("switch.properties").contains(key);
                    });
        });
    }
}
