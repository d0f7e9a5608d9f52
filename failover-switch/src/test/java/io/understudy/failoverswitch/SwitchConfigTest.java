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
                SwitchConfig.defaultIoThreads(Runtime.getRuntime().availableProcessors()),
                new SwitchConfig.Limits(5000, 1000, 64L << 20, 1 << 20, 1L << 30, 16 << 10, 10_000, 60_000, 120_000,
                        30_000, 500, 256), null, null, true, false, null, null));
    }

    @Test
    void shouldRunOneIoThreadOnOneOrTwoCoresAndOnePerCoreAbove() {
        assertThat(SwitchConfig.defaultIoThreads(1)).isEqualTo(1);
        assertThat(SwitchConfig.defaultIoThreads(2)).isEqualTo(1);
        assertThat(SwitchConfig.defaultIoThreads(3)).isEqualTo(3);
        assertThat(SwitchConfig.defaultIoThreads(8)).isEqualTo(8);
        assertThat(parse(Map.of("zookeeper.connect", "127.0.0.1:2181")).ioThreads())
                .isEqualTo(SwitchConfig.defaultIoThreads(Runtime.getRuntime().availableProcessors()));
    }

    @Test
    void shouldReadEveryKey() {
        SwitchConfig config = parse(Map.of(
                "cluster.name", "prod-1", "zookeeper.connect", "zk1:2181,zk2:2181/chroot",
                "zookeeper.sessionTimeoutMs", "6000", "zookeeper.connectionTimeoutMs", "1500",
                "switch.host", "0.0.0.0", "switch.port", "0", "switch.holdTimeoutMs", "250",
                "switch.maxHeldRequests", "3", "switch.backendTimeoutMs", "1000", "switch.ioThreads", "4"));
        Map<String, String> more = new HashMap<>(Map.of("zookeeper.connect", "zk1:2181",
                "switch.maxBufferedBytes", "1000", "switch.retryBodyBytes", "100", "switch.maxBodyBytes", "5000",
                "switch.maxHeaderBytes", "2048", "switch.requestParseTimeoutMs", "300", "switch.keepAliveTimeoutMs", "400",
                "switch.idleTimeoutMs", "9000", "switch.backendIdleConnections", "7",
                "switch.adminToken", "0123456789abcdef-token"));
        more.putAll(Map.of("switch.accessLog", "false", "switch.trustForwardedHeaders", "true",
                "switch.oldPrimaryGraceMs", "0"));
        SwitchConfig second = parse(more);

        assertThat(config).isEqualTo(new SwitchConfig("prod-1", "zk1:2181,zk2:2181/chroot", 6000, 1500, "0.0.0.0", 0,
                4, new SwitchConfig.Limits(250, 3, 64L << 20, 1 << 20, 1L << 30, 16 << 10, 10_000, 60_000, 120_000, 1000,
                        500, 256), null, null, true, false, null, null));
        assertThat(second.limits()).isEqualTo(new SwitchConfig.Limits(5000, 1000, 1000, 100, 5000, 2048, 300, 400, 9000,
                30_000, 0, 7));
        assertThat(second.adminToken()).isEqualTo("0123456789abcdef-token");
        assertThat(second.accessLog()).isFalse();
        assertThat(second.trustForwarded()).isTrue();
        assertThat(second.toString()).doesNotContain("0123456789abcdef-token");
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
        Map<String, String> bad = Map.ofEntries(
                Map.entry("cluster.name", "has/slash"),
                Map.entry("zookeeper.connect", "no-port"),
                Map.entry("zookeeper.sessionTimeoutMs", "10"),
                Map.entry("switch.host", "bad host"),
                Map.entry("switch.port", "70000"),
                Map.entry("switch.holdTimeoutMs", "-1"),
                Map.entry("switch.maxHeldRequests", "many"),
                Map.entry("switch.backendTimeoutMs", "0"),
                Map.entry("switch.oldPrimaryGraceMs", "-1"),
                Map.entry("switch.ioThreads", "0"),
                Map.entry("switch.adminToken", "short"),
                Map.entry("switch.idleTimeoutMs", "4000"),
                Map.entry("switch.tls.keystore", "/nonexistent/keystore.p12"),
                Map.entry("switch.maxHeaderBytes", "10"));
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
