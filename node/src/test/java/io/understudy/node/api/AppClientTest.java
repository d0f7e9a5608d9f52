package io.understudy.node.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Map;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.message.BasicHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AppClientTest {

    @ParameterizedTest(name = "{0} timed out={1} -> {2}")
    @CsvSource({
            // no connection was made: the application never saw the request
            "refused,        false, UNREACHED",
            "connectTimeout, false, UNREACHED",
            "poolTimeout,    false, UNREACHED",
            // sent, and no complete answer: it may have been applied
            "readTimeout,    false, TIMEOUT",
            "noResponse,     true,  TIMEOUT",
            "noResponse,     false, BROKEN",
            "reset,          false, BROKEN",
    })
    void shouldTellWhetherTheApplicationCanHaveSeenTheRequest(String what, boolean timedOut, AppClient.Failure expected) {
        IOException e = switch (what) {
            case "refused" -> new HttpHostConnectException("Connect to http://127.0.0.1:9000 failed: Connection refused");
            case "connectTimeout" -> new ConnectTimeoutException("connect timed out");
            case "poolTimeout" -> new ConnectionRequestTimeoutException("timeout waiting for a connection from the pool");
            case "readTimeout" -> new SocketTimeoutException("Read timed out");
            case "noResponse" -> new NoHttpResponseException("127.0.0.1:9000 failed to respond");
            default -> new IOException("Connection reset");
        };
        assertThat(AppClient.classify(e, timedOut)).isEqualTo(expected);
    }

    @Test
    void shouldRelayOnlyEndToEndHeadersOfTheApplication() {
        Header[] fromApp = {
                new BasicHeader("Content-Type", "text/html"),
                new BasicHeader("Content-Length", "12"),
                new BasicHeader("Set-Cookie", "a=1"),
                new BasicHeader("Set-Cookie", "b=2"),
                new BasicHeader("Location", "/wiki/Main"),
                // hop-by-hop, by name or named in Connection
                new BasicHeader("Connection", "keep-alive, X-Private-Hop"),
                new BasicHeader("Keep-Alive", "timeout=5"),
                new BasicHeader("Transfer-Encoding", "chunked"),
                new BasicHeader("X-Private-Hop", "1"),
                // only the node speaks for the node
                new BasicHeader("X-Understudy-Served-Epoch", "99"),
                new BasicHeader("x-understudy-application", "forged"),
        };
        List<Map.Entry<String, String>> relayed = AppClient.relayedHeaders(fromApp);
        assertThat(relayed).containsExactly(Map.entry("Content-Type", "text/html"), Map.entry("Content-Length", "12"),
                Map.entry("Set-Cookie", "a=1"), Map.entry("Set-Cookie", "b=2"), Map.entry("Location", "/wiki/Main"));
    }
}
