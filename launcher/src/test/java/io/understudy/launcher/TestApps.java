package io.understudy.launcher;

import io.understudy.launcher.testapp.TestApp;
import io.understudy.launcher.testapp.TestAppStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One {@link TestApp} per node of an appliance, each on its own loopback port and writing to its node's PostgreSQL
 * through the role {@link #ROLE}; the nodes front them through their gateways. Also what the tests read and try
 * directly in each node's database.
 */
final class TestApps implements AutoCloseable {

    static final String ROLE = "testapp";
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3)).build();

    private final ApplianceConfig config;
    private final Map<String, Integer> appPorts = new LinkedHashMap<>();
    private final Map<String, Integer> gatewayPorts = new LinkedHashMap<>();
    private final Map<String, TestApp> apps = new LinkedHashMap<>();

    TestApps(ApplianceConfig config) {
        this.config = config;
        for (String id : config.nodeIds()) {
            appPorts.put(id, TestPorts.freePort());
            gatewayPorts.put(id, TestPorts.freePort());
        }
    }

    /** Each node fronts its own application, with the application's role fenced while it is not primary. */
    LocalAppliance configure(LocalAppliance appliance) {
        appliance.nodeSetting("app.dbUser", ROLE);
        for (String id : config.nodeIds()) {
            appliance.nodeSetting(id, "app.url", "http://" + ApplianceConfig.HOST + ":" + appPorts.get(id));
            appliance.nodeSetting(id, "app.gatewayPort", Integer.toString(gatewayPorts.get(id)));
        }
        return appliance;
    }

    /** Starts both applications; they reach their databases only when asked, so the appliance may start after. */
    void start() throws Exception {
        for (String id : config.nodeIds()) {
            apps.put(id, TestApp.start(id, ApplianceConfig.HOST, appPorts.get(id),
                    new TestAppStore(dbUrl(id), ROLE, ""), null));
        }
    }

    /** The application's role, schema and table in each node's database (roles are not replicated). */
    void provision() throws SQLException {
        for (String id : config.nodeIds()) {
            TestAppStore.provision(dbUrl(id), LocalPostgres.SUPERUSER, "", ROLE);
        }
    }

    String dbUrl(String nodeId) {
        return "jdbc:postgresql://" + ApplianceConfig.HOST + ":" + config.pgPort(nodeId) + "/postgres";
    }

    String gatewayUrl(String nodeId) {
        return "http://" + ApplianceConfig.HOST + ":" + gatewayPorts.get(nodeId);
    }

    String appUrl(String nodeId) {
        return apps.get(nodeId).url();
    }

    /** Requests application {@code nodeId} has received so far, from its own port. */
    long requestsSeenBy(String nodeId) throws Exception {
        return stats(nodeId).path("requests").asLong();
    }

    com.fasterxml.jackson.databind.JsonNode stats(String nodeId) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(appUrl(nodeId) + "/admin/stats"))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return io.understudy.cluster.ClusterJson.MAPPER.readTree(r.body());
    }

    void admin(String nodeId, String action) throws Exception {
        HTTP.send(HttpRequest.newBuilder(URI.create(appUrl(nodeId) + "/admin/" + action)).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
    }

    /** One number from node {@code nodeId}'s database, read as the superuser. */
    long query(String nodeId, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(dbUrl(nodeId), LocalPostgres.SUPERUSER, "");
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : -1;
        }
    }

    /**
     * Tries a write as the application's role in node {@code nodeId}'s database, in a fresh session (the fence also
     * ends old ones); returns null when it committed, else PostgreSQL's SQLSTATE.
     */
    String writeAsApplication(String nodeId) {
        try (Connection c = DriverManager.getConnection(dbUrl(nodeId), ROLE, ""); Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO " + TestAppStore.TABLE + " (body, app, epoch) VALUES ('fence probe', 'test', 0)");
            return null;
        } catch (SQLException e) {
            return e.getSQLState();
        }
    }

    static HttpResponse<String> send(String method, String url, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        apps.values().forEach(TestApp::close);
    }
}
