package io.understudy.failoverswitch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.understudy.cluster.ClusterJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Clients that misbehave on a raw socket get a 4xx or are cut off, and everyone else is still served. */
class BadInputIT {

    private static final Duration WAIT = Duration.ofSeconds(15);

    private ClusterFixture cluster;
    private EchoBackend a;
    private SwitchServer server;

    @BeforeEach
    void start() throws Exception {
        cluster = new ClusterFixture();
        a = new EchoBackend("A");
        cluster.promote("a", a.url(), 1);
        server = cluster.startSwitch(Map.of("switch.maxHeaderBytes", "4096", "switch.maxBodyBytes", "100000",
                "switch.requestParseTimeoutMs", "500", "switch.keepAliveTimeoutMs", "60000"));
        await().atMost(WAIT).until(() -> "a".equals(server.status().route().nodeId()));
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        a.close();
        cluster.close();
    }

    /** Sends raw bytes and reads until the switch closes the connection (or 10 s pass). */
    private String exchange(byte[] request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request);
                out.flush();
            } catch (SocketException e) {
                // the switch may close before reading everything; its answer is still in our buffer
            }
            return readAll(socket.getInputStream());
        }
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                bytes.write(buffer, 0, n);
            }
        } catch (SocketException e) {
            // reset after the answer: what was read is what counts
        }
        return bytes.toString(StandardCharsets.ISO_8859_1);
    }

    private static int status(String response) {
        return Integer.parseInt(response.substring(9, 12));
    }

    private void assertStillServing() throws Exception {
        try (RawHttpConnection client = new RawHttpConnection(server.port())) {
            RawHttpConnection.Response response = client.get("/api/still-there");
            assertThat(response.status()).isEqualTo(200);
            assertThat(ClusterJson.MAPPER.readTree(response.body()).path("name").asText()).isEqualTo("A");
        }
    }

    @Test
    void shouldAnswerGarbageWith400AndServeTheNextClient() throws Exception {
        String response = exchange("\u0000\u0001GARBAGE \u00ff\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));

        assertThat(status(response)).isEqualTo(400);
        assertStillServing();
    }

    @Test
    void shouldAnswerMalformedRequestLineWith4xx() throws Exception {
        String response = exchange("GET /x HTTP/9.9 extra\r\nHost: h\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

        assertThat(status(response)).isBetween(400, 499);
        assertStillServing();
    }

    @Test
    void shouldAnswerOversizedHeadersWith431() throws Exception {
        String response = exchange(("GET /api/x HTTP/1.1\r\nHost: h\r\nX-Big: " + "b".repeat(8000) + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));

        assertThat(status(response)).isEqualTo(431);
        assertStillServing();
    }

    @Test
    void shouldAnswerOversizedBodyWith413Json() throws Exception {
        String response = exchange(("PUT /api/files/big HTTP/1.1\r\nHost: h\r\nContent-Length: 200000\r\n\r\n"
                + "x".repeat(1000)).getBytes(StandardCharsets.US_ASCII));

        assertThat(status(response)).isEqualTo(413);
        JsonNode body = ClusterJson.MAPPER.readTree(response.substring(response.indexOf("\r\n\r\n") + 4));
        assertThat(body.path("error").asText()).isEqualTo("body_too_large");
        assertStillServing();
    }

    @Test
    void shouldAnswerOversizedChunkedBodyWith413() throws Exception {
        String chunk = "x".repeat(60_000);
        String request = "PUT /api/files/big HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n"
                + Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n0\r\n\r\n";

        String response = exchange(request.getBytes(StandardCharsets.US_ASCII));

        assertThat(response.isEmpty() || status(response) == 413).as(response).isTrue();
        assertStillServing();
    }

    @Test
    void shouldCutOffSlowlorisWhileServingOthers() throws Exception {
        try (Socket slow = new Socket("127.0.0.1", server.port())) {
            slow.setSoTimeout(10_000);
            OutputStream out = slow.getOutputStream();
            out.write("GET /api/slow HTTP/1.1\r\nHost: h\r\nX-Drip: ".getBytes(StandardCharsets.US_ASCII));
            out.flush();

            assertStillServing();
            long start = System.nanoTime();
            String answer = readAll(slow.getInputStream());

            assertThat(answer.isEmpty() || status(answer) == 408).as(answer).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        }
        assertStillServing();
    }
}
