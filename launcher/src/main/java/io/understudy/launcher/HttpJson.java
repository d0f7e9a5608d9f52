package io.understudy.launcher;

import com.sun.net.httpserver.HttpExchange;
import io.understudy.cluster.ClusterJson;
import java.io.IOException;
import java.io.OutputStream;

/** JSON answers of the JDK's small HTTP servers the launcher runs (the appliance's control endpoint, the test app). */
public final class HttpJson {

    private HttpJson() {
    }

    /** Answers {@code status} with {@code body} as JSON and closes the exchange's body. */
    public static void send(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = ClusterJson.toBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
