package io.understudy.node.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeyedRequestsTest {

    @Test
    void shouldReplayTheRecordedAnswerByteForByteWithItsHeaders() throws Exception {
        byte[] body = {0, 1, (byte) 0xff, '\n', 'x'};
        KeyedRequests.Answer answer = new KeyedRequests.Answer(302, List.of(Map.entry("Location", "/wiki/Page"),
                Map.entry("Set-Cookie", "a=1"), Map.entry("Set-Cookie", "b=2")), body);

        KeyedRequests.Answer back = KeyedRequests.unpack(302, KeyedRequests.pack(answer));

        assertThat(back.status()).isEqualTo(302);
        assertThat(back.headers()).isEqualTo(answer.headers());
        assertThat(back.body()).isEqualTo(body);
        assertThat(new String(KeyedRequests.pack(answer), StandardCharsets.UTF_8)).startsWith("{\"headers\":");
    }
}
