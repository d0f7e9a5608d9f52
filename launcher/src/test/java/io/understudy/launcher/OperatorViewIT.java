package io.understudy.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.understudy.cluster.ClusterJson;
import io.understudy.cluster.config.LogSettings;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an operator sees of a real appliance: the switch's status page in headless Chromium
 * following a {@code kill -9} failover and sending actions with the token typed into it, the
 * Grafana dashboard's queries against what the switch and the nodes export, and the nodes' and
 * the switch's logs as JSON lines.
 */
class OperatorViewIT {

    private static final Logger LOG = LoggerFactory.getLogger(OperatorViewIT.class);
    /** From the switch's status JSON naming the new primary to the page showing it. */
    private static final Duration PAGE_FOLLOWS_WITHIN = Duration.ofSeconds(2);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final Path DASHBOARD = Path.of("..", "docs", "grafana", "understudy.json");
    private static final Pattern METRIC = Pattern.compile("\\bunderstudy_[a-z0-9_]+");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    /** Kept when a test fails, for its logs. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;

    static LocalAppliance appliance;

    @TempDir
    Path profile;

    private HeadlessChromium chromium;

    @BeforeAll
    static void start() {
        appliance = new LocalAppliance(TestPorts.applianceOnFreePorts(dir.resolve("data")), TestPorts.childClasspath())
                .childLogFormat(LogSettings.Format.JSON);
        appliance.start(Duration.ofMinutes(4));
    }

    @AfterAll
    static void stop() {
        if (appliance != null) {
            appliance.close();
        }
    }

    @BeforeEach
    void openBrowser() {
        chromium = new HeadlessChromium(profile, 1280, 1500);
    }

    @AfterEach
    void closeBrowser() {
        if (chromium != null) {
            chromium.close();
        }
    }

    @Test
    void statusPageShowsTheNewPrimaryWithinTwoSecondsOfAFailover() throws Exception {
        String primary = appliance.primaryNodeId().orElseThrow();
        String survivor = appliance.config().nodeIds().stream().filter(id -> !id.equals(primary)).findFirst().orElseThrow();
        WebDriver page = chromium.driver();
        page.get(appliance.switchUrl() + "/_understudy/");
        new WebDriverWait(page, WAIT).until(d -> primary.equals(shownPrimary(d)));
        assertThat(page.findElement(By.id("primary")).getText()).startsWith(primary + " · epoch ");
        // a few writes, so that the lag chart has a line for the secondary
        for (int i = 0; i < 30; i++) {
            assertThat(ObjectsApi.put(appliance.switchUrl(), "page-" + i, ObjectsApi.document(i)).status()).isIn(200, 201);
        }
        new WebDriverWait(page, WAIT).until(d -> d.findElement(By.id("lag-legend")).getText().contains(survivor + ": "));
        chromium.screenshot(SCREENSHOTS.resolve("status-page-before-failover.png"));

        Process victim = appliance.nodeProcess(primary);
        LOG.info("kill -9 of primary node {} (pid {})", primary, victim.pid());
        victim.destroyForcibly();
        await("the switch routes to " + survivor).atMost(WAIT).pollInterval(Duration.ofMillis(20))
                .until(() -> survivor.equals(status().path("route").path("nodeId").asText(null)));
        long routed = System.nanoTime();

        try {
            new WebDriverWait(page, PAGE_FOLLOWS_WITHIN).pollingEvery(Duration.ofMillis(20))
                    .until(d -> survivor.equals(shownPrimary(d))
                            && d.findElement(By.id("route")).getText().startsWith("routes to " + survivor + " "));
        } catch (TimeoutException e) {
            chromium.screenshot(SCREENSHOTS.resolve("status-page-missed-failover.png"));
            fail("the page did not show %s as primary within %s of the switch routing to it; it shows '%s', '%s'",
                    survivor, PAGE_FOLLOWS_WITHIN, page.findElement(By.id("primary")).getText(),
                    page.findElement(By.id("route")).getText());
        }
        LOG.info("MEASURED status page showed the new primary {} ms after the status JSON named it",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - routed));
        assertThat(page.findElement(By.id("route")).getText()).isEqualTo("routes to " + survivor + " (epoch "
                + page.findElement(By.id("primary")).getDomAttribute("data-epoch") + ")");
        new WebDriverWait(page, WAIT).until(d -> d.findElement(By.id("history")).getText().lines()
                .anyMatch(row -> row.contains(" PROMOTION " + survivor + " " + primary + " ")));
        chromium.screenshot(SCREENSHOTS.resolve("status-page-after-failover.png"));
        // the other tests read every node: leave the appliance whole, the killed node back as a secondary
        appliance.awaitNodeBack(primary, Duration.ofMinutes(3));
    }

    @Test
    void statusPageActionsCarryTheTokenTypedIntoThePage() throws Exception {
        WebDriver page = chromium.driver();
        page.get(appliance.switchUrl() + "/_understudy/");
        new WebDriverWait(page, WAIT).until(d -> !shownPrimary(d).isEmpty());
        WebElement token = page.findElement(By.id("token"));
        WebElement result = page.findElement(By.id("action-result"));
        WebElement banner = page.findElement(By.id("banner"));

        page.findElement(By.id("pause")).click();
        new WebDriverWait(page, WAIT).until(d -> result.getText().equals("Enter the admin token first."));

        token.sendKeys("not-the-token");
        page.findElement(By.id("pause")).click();
        new WebDriverWait(page, WAIT).until(d -> result.getText().startsWith("pause refused: 401 unauthorized"));
        assertThat(status().path("settings").path("failoverPaused").asBoolean()).isFalse();

        token.clear();
        token.sendKeys(AdminToken.loadOrCreate(appliance.config()));
        page.findElement(By.id("pause")).click();
        new WebDriverWait(page, WAIT).until(d -> banner.isDisplayed()
                && banner.getText().startsWith("Automatic failover is paused"));
        assertThat(result.getText()).startsWith("pause accepted");
        page.findElement(By.id("resume")).click();
        new WebDriverWait(page, WAIT).until(d -> !banner.isDisplayed());
        assertThat(status().path("settings").path("failoverPaused").asBoolean()).isFalse();
    }

    @Test
    void everyMetricTheDashboardQueriesIsExported() throws Exception {
        assertThat(ObjectsApi.put(appliance.switchUrl(), "dashboard", ObjectsApi.document(1)).status()).isIn(200, 201);
        List<String> expositions = new ArrayList<>(List.of(get(appliance.switchUrl() + "/_understudy/metrics")));
        for (String id : appliance.config().nodeIds()) {
            expositions.add(nodeMetrics(id));
        }
        Set<String> exported = new TreeSet<>();
        List<String> samples = new ArrayList<>();
        for (String exposition : expositions) {
            exposition.lines().filter(line -> !line.isBlank() && !line.startsWith("#")).forEach(line -> {
                samples.add(line);
                exported.add(line.split("[{ ]", 2)[0]);
            });
        }

        Set<String> queried = new TreeSet<>();
        for (JsonNode expr : ClusterJson.MAPPER.readTree(Files.readAllBytes(DASHBOARD)).findValues("expr")) {
            Matcher names = METRIC.matcher(expr.asText());
            while (names.find()) {
                queried.add(names.group());
            }
        }

        assertThat(queried).as("metrics queried by %s", DASHBOARD)
                .anyMatch(name -> name.startsWith("understudy_switch_"))
                .anyMatch(name -> name.startsWith("understudy_replication_"));
        assertThat(exported).as("metrics exported by the switch and the nodes").containsAll(queried);
        assertThat(samples).as("samples of queried metrics, each a number")
                .filteredOn(line -> queried.contains(line.split("[{ ]", 2)[0]))
                .noneMatch(line -> line.endsWith(" NaN"));
        Set<String> unused = new TreeSet<>(exported);
        unused.removeAll(queried);
        LOG.info("exported but on no dashboard panel: {}", unused);
    }

    @Test
    void childLogsAreJsonLinesCarryingTheProcessNodeAndEpoch() throws Exception {
        for (String id : appliance.config().nodeIds()) {
            List<JsonNode> lines = JsonLines.finished(appliance.config().logDir().resolve("node-" + id + ".log"));
            assertThat(lines).as("node %s", id).isNotEmpty()
                    .allSatisfy(line -> assertThat(line.path("context").path("name").asText()).isEqualTo("node-" + id))
                    .anySatisfy(line -> {
                        assertThat(line.path("mdc").path("node").asText()).isEqualTo(id);
                        assertThat(line.path("mdc").path("epoch").asLong()).isPositive();
                        assertThat(line.path("formattedMessage").asText()).contains(" -> ");
                        assertThat(line.path("level").asText()).isEqualTo("INFO");
                    });
        }
        assertThat(JsonLines.finished(appliance.config().logDir().resolve("switch.log")))
                .anySatisfy(line -> assertThat(line.path("formattedMessage").asText()).startsWith("switch listening on"))
                .allSatisfy(line -> assertThat(line.path("context").path("name").asText()).isEqualTo("switch"));
    }

    /** The node id the page shows as primary, or "" for none. */
    private static String shownPrimary(WebDriver page) {
        String node = page.findElement(By.id("primary")).getDomAttribute("data-node");
        return node == null ? "" : node;
    }

    /**
     * Node {@code id}'s exposition. What the failover test waited for, the switch showing every node serving, comes from
     * the member records in ZooKeeper, not from each node's API: a node that the appliance has just started again
     * refuses connections until its API listens. That is not yet, not a missing metric; any answer but 200 still fails.
     */
    private static String nodeMetrics(String id) {
        String url = appliance.nodeApiUrl(id) + "/metrics";
        return await("node " + id + " answering " + url).atMost(WAIT)
                .ignoreExceptionsMatching(e -> e instanceof ConnectException)
                .until(() -> get(url), exposition -> true);
    }

    private static JsonNode status() throws Exception {
        return ClusterJson.MAPPER.readTree(get(appliance.switchUrl() + "/_understudy/status"));
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s", url).isEqualTo(200);
        return response.body();
    }
}
