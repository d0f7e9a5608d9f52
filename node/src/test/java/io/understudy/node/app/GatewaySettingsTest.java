package io.understudy.node.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.understudy.cluster.config.Settings;
import io.understudy.node.NodeConfig;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GatewaySettingsTest {

    private static Map<String, String> node(String... keyValues) {
        Map<String, String> m = new HashMap<>();
        m.put("node.id", "a");
        m.put("zookeeper.connect", "127.0.0.1:2181");
        m.put("db.url", "jdbc:postgresql://127.0.0.1:15432/postgres");
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    private static GatewaySettings app(String... keyValues) {
        return NodeConfig.from(Settings.of("node-a.properties", node(keyValues))).app();
    }

    @Test
    void shouldFrontNoApplicationWithoutAppUrl() {
        GatewaySettings none = app();
        assertThat(none.enabled()).isFalse();
        assertThat(none.advertisedUrl()).isNull();
        assertThat(none.dbUser()).isNull();
    }

    @Test
    void shouldPutTheGatewayAThousandPortsAboveTheApiByDefault() {
        GatewaySettings s = app("app.url", "http://127.0.0.1:9000/", "api.port", "8082");
        assertThat(s.url()).isEqualTo(URI.create("http://127.0.0.1:9000"));
        assertThat(s.gatewayHost()).isEqualTo("127.0.0.1");
        assertThat(s.gatewayPort()).isEqualTo(9082);
        assertThat(s.advertisedUrl()).isEqualTo("http://127.0.0.1:9082");
        assertThat(s.timeoutMs()).isEqualTo(30_000);
        assertThat(s.maxBufferedBytes()).isEqualTo(8L << 20);
    }

    @Test
    void shouldTakeExplicitGatewayAddressesAndTheFenceRole() {
        GatewaySettings s = app("app.url", "http://127.0.0.1:9000/wiki", "app.gatewayHost", "0.0.0.0", "app.gatewayPort", "7000",
                "app.gatewayAdvertisedUrl", "http://node-a.example:7000", "app.dbUser", "wiki");
        assertThat(s.url()).isEqualTo(URI.create("http://127.0.0.1:9000/wiki"));
        assertThat(s.gatewayHost()).isEqualTo("0.0.0.0");
        assertThat(s.gatewayPort()).isEqualTo(7000);
        assertThat(s.advertisedUrl()).isEqualTo("http://node-a.example:7000");
        assertThat(s.dbUser()).isEqualTo("wiki");
    }

    @ParameterizedTest(name = "{0}={1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "app.url|ftp://127.0.0.1:9000|node-a.properties: app.url: must be an http(s) URL with a host, got 'ftp://127.0.0.1:9000'",
            "app.url|http://127.0.0.1:9000/?a=1|node-a.properties: app.url: must be a base URL without query or fragment, got 'http://127.0.0.1:9000/?a=1'",
            "app.gatewayPort|8081|node-a.properties: app.gatewayPort: must differ from api.port (8081)",
            "app.gatewayPort|70000|node-a.properties: app.gatewayPort: must be between 1 and 65535, got 70000",
            "app.dbUser|postgres|node-a.properties: app.dbUser: must be the application's own role, not the node's ('postgres' is db.user or replication.user): fencing it would lock the node out of its database",
            "app.dbUser|wiki; DROP TABLE x|node-a.properties: app.dbUser: must be a plain PostgreSQL role name (letters, digits, '_', '$'), got 'wiki; DROP TABLE x'",
            "app.timeoutMs|0|node-a.properties: app.timeoutMs: must be between 100 and 3600000, got 0",
    })
    void shouldNameTheKeyOfEveryBadValue(String key, String value, String message) {
        assertThatThrownBy(() -> app("app.url", "http://127.0.0.1:9000", key, value)).hasMessage(message);
    }

    @ParameterizedTest
    @CsvSource({"app.gatewayHost,127.0.0.1", "app.gatewayPort,9081", "app.gatewayAdvertisedUrl,http://127.0.0.1:9081"})
    void shouldRefuseGatewayKeysWithoutAnApplication(String key, String value) {
        assertThatThrownBy(() -> app(key, value))
                .hasMessage("node-a.properties: " + key + ": is set but app.url is not: there is no application to front");
    }

    @Test
    void shouldRefuseToFenceTheReplicationRole() {
        assertThatThrownBy(() -> app("replication.user", "repl", "app.dbUser", "repl"))
                .hasMessageStartingWith("node-a.properties: app.dbUser: must be the application's own role");
    }
}
