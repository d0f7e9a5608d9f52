package io.understudy.node.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.undertow.Undertow;
import io.undertow.util.HttpString;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class ApiWarmUpTest {

    @Test
    void readsAndSendsOnlyPutsThatAreRefusedForTheirKeyWithTheClusterTokenThenRehearses() {
        List<String> seen = new CopyOnWriteArrayList<>();
        Undertow server = Undertow.builder().addHttpListener(0, "127.0.0.1").setHandler(exchange -> {
            String key = exchange.getRequestHeaders().getFirst(new HttpString("Idempotency-Key"));
            seen.add(exchange.getRequestMethod() + " " + exchange.getRequestPath() + " key=" + (key == null ? "none" : key.length())
                    + " token=" + exchange.getRequestHeaders().getFirst(new HttpString("X-Understudy-Token")));
            exchange.setStatusCode(404);
        }).build();
        server.start();
        try {
            int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();

            ApiWarmUp.start("0.0.0.0", port, "secret", () -> seen.add("rehearsal"));

            await().atMost(Duration.ofSeconds(20)).until(() -> seen.size() == 7);
            assertThat(seen.get(6)).as("the rehearsal runs once the requests are answered").isEqualTo("rehearsal");
            seen.remove(6);
            assertThat(seen).containsOnly("GET /health key=none token=secret", "GET /api/objects/understudy-warm-up key=none token=secret",
                    "PUT /api/objects/understudy-warm-up key=256 token=secret");
            assertThat(seen).filteredOn(r -> r.startsWith("PUT")).hasSize(2);
        } finally {
            server.stop();
        }
    }
}
