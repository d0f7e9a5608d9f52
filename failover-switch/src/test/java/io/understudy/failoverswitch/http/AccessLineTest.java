package io.understudy.failoverswitch.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.understudy.cluster.config.Settings;
import io.understudy.failoverswitch.SwitchConfig;
import io.undertow.Undertow;
import io.undertow.util.Headers;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.text.SimpleDateFormat;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The access line of requests served over loopback by {@link Listener}'s server, and its cached time. */
class AccessLineTest {

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final Logger access = (Logger) LoggerFactory.getLogger(Listener.ACCESS_LOGGER);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private Undertow server;

    @BeforeEach
    void start() throws Exception {
        lines.start();
        access.addAppender(lines);
        SwitchConfig config = SwitchConfig.from(Settings.of("test", Map.of("zookeeper.connect", "127.0.0.1:2181",
                "switch.port", "0", "switch.ioThreads", "1")));
        server = Listener.build(config, exchange -> {
            if (exchange.getRequestPath().equals("/empty")) {
                exchange.setStatusCode(204);
                exchange.endExchange();
                return;
            }
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain");
            exchange.getResponseSender().send("hello");
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop();
        access.detachAppender(lines);
    }

    @Test
    void aRequestIsLoggedInTheCombinedFormatWithItsResponseTime() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(url("/api/objects/a%20b?x=1&y=2"))
                .header("User-Agent", "bench/1.0 (test)").header("Referer", "http://example.test/from").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);

        String line = awaitLines(1).get(0);
        assertThat(line).matches("127\\.0\\.0\\.1 - - \\[\\d{2}/[A-Z][a-z]{2}/\\d{4}:\\d{2}:\\d{2}:\\d{2} [+-]\\d{4}] "
                + "\"GET /api/objects/a%20b\\?x=1&y=2 HTTP/1\\.1\" 200 5 \"http://example\\.test/from\" "
                + "\"bench/1\\.0 \\(test\\)\" \\d+ms");
    }

    @Test
    void absentHeadersAndAnEmptyBodyAreDashes() throws Exception {
        http.send(HttpRequest.newBuilder(url("/empty")).method("DELETE", HttpRequest.BodyPublishers.noBody())
                .header("User-Agent", "").build(), HttpResponse.BodyHandlers.discarding());

        assertThat(awaitLines(1).get(0)).matches("127\\.0\\.0\\.1 - - \\[[^]]+] \"DELETE /empty HTTP/1\\.1\" 204 - \"-\" \"-\" \\d+ms");
    }

    @Test
    void everyRequestOfAKeptAliveConnectionHasItsLine() throws Exception {
        for (int i = 0; i < 20; i++) {
            http.send(HttpRequest.newBuilder(url("/n/" + i)).build(), HttpResponse.BodyHandlers.discarding());
        }

        List<String> logged = awaitLines(20);
        for (int i = 0; i < 20; i++) {
            assertThat(logged.get(i)).contains("\"GET /n/" + i + " HTTP/1.1\" 200 5 ");
        }
    }

    @Test
    void theLoggedArgumentIsTheLinesValuesAndItsTextIsTheLine() throws Exception {
        http.send(HttpRequest.newBuilder(url("/values?q=1")).header("User-Agent", "ua").build(),
                HttpResponse.BodyHandlers.discarding());

        awaitLines(1);
        ILoggingEvent event = lines.list.get(0);
        assertThat(event.getMessage()).isEqualTo("{}");
        assertThat(event.getArgumentArray()).singleElement().isInstanceOf(AccessLine.Entry.class)
                .hasToString(event.getFormattedMessage());
    }

    @Test
    void anEntrysTextIsTheCombinedLine() {
        AccessLine line = new AccessLine(entry -> { }, ZoneId.of("UTC"));
        long time = 1_782_000_000_123L;

        assertThat(new AccessLine.Entry(line, new InetSocketAddress("10.1.2.3", 40000), time, "PUT", "/api/objects/x", "a=1&b=2",
                "HTTP/1.1", 201, 17, "http://r.test/", "curl/8.5", 12).toString())
                .isEqualTo("10.1.2.3 - - [21/Jun/2026:00:00:00 +0000] \"PUT /api/objects/x?a=1&b=2 HTTP/1.1\" 201 17 "
                        + "\"http://r.test/\" \"curl/8.5\" 12ms");
        assertThat(new AccessLine.Entry(line, null, time, "GET", "/", "", "HTTP/1.0", 304, 0, "", null, -1).toString())
                .isEqualTo("- - - [21/Jun/2026:00:00:00 +0000] \"GET / HTTP/1.0\" 304 - \"-\" \"-\" -ms");
    }

    @Test
    void theTimeIsTheCommonLogFormatsFormattedOncePerSecond() {
        ZoneId zone = ZoneId.of("Europe/Berlin");
        AccessLine line = new AccessLine(text -> { }, zone);
        SimpleDateFormat common = new SimpleDateFormat("dd/MMM/yyyy:HH:mm:ss Z", Locale.US);
        common.setTimeZone(TimeZone.getTimeZone(zone));
        long summer = 1_782_000_000_123L;

        assertThat(line.time(summer)).isEqualTo(common.format(new Date(summer))).endsWith("+0200");
        assertThat(line.time(summer + 800)).isSameAs(line.time(summer));
        assertThat(line.time(summer + 900)).isEqualTo(common.format(new Date(summer + 900)))
                .isNotEqualTo(line.time(summer));
        assertThat(line.time(0)).isEqualTo("01/Jan/1970:01:00:00 +0100");
        assertThat(line.time(-1)).isEqualTo("01/Jan/1970:00:59:59 +0100");
    }

    private URI url(String path) {
        int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** The access lines logged so far, once there are {@code count} (a line is logged after its response is sent). */
    private List<String> awaitLines(int count) {
        await().atMost(Duration.ofSeconds(10)).until(() -> lines.list.size() >= count);
        assertThat(lines.list).hasSize(count);
        return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
}
