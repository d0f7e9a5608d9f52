package io.understudy.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.understudy.cluster.ClusterJson;
import io.understudy.cluster.MemberRecord;
import io.understudy.cluster.PrimaryRecord;
import io.understudy.cluster.Role;
import io.understudy.cluster.zk.ZkPaths;
import io.understudy.failoverswitch.admin.AdminWarmUp;
import io.undertow.Undertow;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The switch as the local appliance runs it ({@link ChildConfigs#failoverSwitch}, its own JVM, the
 * shipped {@code logback.xml}) in front of a real HTTP backend registered as primary: each request's
 * access line appears in the switch's output while it keeps running, in text and in JSON, and a
 * SIGTERM right after a burst of requests loses none of their lines.
 */
class AccessLogIT {

    private static final String CLUSTER = "access";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private TestingServer zk;
    private CuratorFramework curator;
    private Undertow backend;
    private Process switchProcess;

    @BeforeEach
    void start() throws Exception {
        zk = new TestingServer(true);
        curator = CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryOneTime(100));
        curator.start();
        backend = Undertow.builder().addHttpListener(0, "127.0.0.1").setIoThreads(1)
                .setHandler(exchange -> exchange.getResponseSender().send("{\"ok\":true}")).build();
        backend.start();
        String apiUrl = "http://127.0.0.1:" + port(backend);
        ZkPaths paths = new ZkPaths(CLUSTER);
        curator.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(paths.member("a"),
                ClusterJson.toBytes(new MemberRecord("a", apiUrl, "db", Role.PRIMARY, 1, 0, -1, true, "test", 0)));
        curator.create().creatingParentContainersIfNeeded().forPath(paths.primary(),
                ClusterJson.toBytes(new PrimaryRecord("a", apiUrl, "db", 1, 0, null, 0)));
    }

    @AfterEach
    void stop() throws Exception {
        if (switchProcess != null && switchProcess.isAlive()) {
            switchProcess.destroyForcibly().waitFor();
        }
        backend.stop();
        curator.close();
        zk.close();
    }

    @Test
    void textLinesAppearWhileTheSwitchRunsAndNoneIsLostOnSigterm() throws Exception {
        int switchPort = startSwitch("text");
        get(switchPort, "/first?x=1");
        await("the first request's line").atMost(Duration.ofSeconds(10))
                .until(() -> accessLines().stream().anyMatch(l -> l.contains("\"GET /first?x=1 HTTP/1.1\" 200 11 ")));

        for (int i = 0; i < 300; i++) {
            get(switchPort, "/burst/" + i);
        }
        switchProcess.destroy();
        assertThat(switchProcess.waitFor(1, TimeUnit.MINUTES)).as("the switch exits on SIGTERM").isTrue();

        assertThat(allAccessLines()).as("the switch's own warm-up request, refused")
                .filteredOn(l -> l.contains("\"POST /_understudy/switchover HTTP/1.1\" 400 ")
                        && l.contains("\"" + AdminWarmUp.USER_AGENT + "\""))
                .hasSize(1);
        List<String> lines = accessLines();
        assertThat(lines).hasSize(301);
        assertThat(lines.get(0)).matches("\\d{2}:\\d{2}:\\d{2}\\.\\d{3} INFO  \\[] understudy\\.access - 127\\.0\\.0\\.1 - - "
                + "\\[[^]]+] \"GET /first\\?x=1 HTTP/1\\.1\" 200 11 \"-\" \"Java-http-client/[^\"]+\" \\d+ms");
        for (int i = 0; i < 300; i++) {
            assertThat(lines.get(i + 1)).contains("\"GET /burst/" + i + " HTTP/1.1\" 200 11 ");
        }
    }

    @Test
    void jsonLinesCarryTheAccessLineAsTheirMessage() throws Exception {
        int switchPort = startSwitch("json");
        for (int i = 0; i < 50; i++) {
            get(switchPort, "/json/" + i);
        }
        switchProcess.destroy();
        assertThat(switchProcess.waitFor(1, TimeUnit.MINUTES)).isTrue();

        List<JsonNode> access = Files.readAllLines(dir.resolve("switch.out"), StandardCharsets.UTF_8).stream()
                .map(AccessLogIT::json).filter(line -> line.path("loggerName").asText().equals("understudy.access"))
                .filter(line -> !isSwitchOwnTraffic(line.path("formattedMessage").asText())).toList();
        assertThat(access).hasSize(50);
        for (int i = 0; i < 50; i++) {
            assertThat(access.get(i).path("level").asText()).isEqualTo("INFO");
            assertThat(access.get(i).path("context").path("name").asText()).isEqualTo("switch");
            // formatted by the writer, but logged by the IO thread that served the request
            assertThat(access.get(i).path("threadName").asText()).startsWith("XNIO-1 I/O");
            assertThat(access.get(i).path("formattedMessage").asText()).contains("\"GET /json/" + i + " HTTP/1.1\" 200 11 ");
        }
    }

    /** Starts {@code understudy switch} with the local appliance's settings for it; its output goes to switch.out. */
    private int startSwitch(String format) throws Exception {
        ApplianceConfig config = TestPorts.applianceOnFreePorts(dir.resolve("data"));
        Map<String, String> values = new LinkedHashMap<>(ChildConfigs.failoverSwitch(config, "access-log-test-token-0123"));
        values.put("cluster.name", CLUSTER);
        values.put("zookeeper.connect", zk.getConnectString());
        values.put("log.format", format);
        Path file = dir.resolve("switch.properties");
        ChildConfigs.write(file, "the local appliance's switch settings", values);
        List<String> command = ChildProcess.javaCommand(ChildProcess.currentJava(), TestPorts.childClasspath(), 160, "switch",
                List.of("switch", "--config", file.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("switch.out").toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("UNDERSTUDY_"));
        switchProcess = builder.start();
        int port = config.switchPort();
        await("switch routes to the backend").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .ignoreExceptions().until(() -> get(port, "/ready") == 200);
        return port;
    }

    private int get(int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** The switch's text access lines so far, but for its own traffic. */
    private List<String> accessLines() throws IOException {
        return allAccessLines().stream().filter(l -> !isSwitchOwnTraffic(l)).toList();
    }

    /** The test's readiness probes and the switch's warm-up request, not the requests a test counts. */
    private static boolean isSwitchOwnTraffic(String accessLine) {
        return accessLine.contains("GET /ready ") || accessLine.contains(AdminWarmUp.USER_AGENT);
    }

    private List<String> allAccessLines() throws IOException {
        return Files.readAllLines(dir.resolve("switch.out"), StandardCharsets.UTF_8).stream()
                .filter(l -> l.contains(" understudy.access - ")).toList();
    }

    private static JsonNode json(String line) {
        try {
            return ClusterJson.MAPPER.readTree(line);
        } catch (IOException e) {
            throw new AssertionError("not a JSON line: " + line, e);
        }
    }

    private static int port(Undertow server) {
        return ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    }
}
