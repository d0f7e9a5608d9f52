package io.understudy.node.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ApiTokenTest {

    private static final String TOKEN = "0123456789abcdef-token";

    /** One row: the node's setting, the request, and whether it proceeds. */
    record Row(ApiToken access, String method, String path, String presented, boolean allowed) {
    }

    @Test
    void shouldGuardWritesAndAppliedReportsAndReadsOnlyWhenAskedTo() {
        ApiToken writes = ApiToken.of(TOKEN, false);
        ApiToken all = ApiToken.of(TOKEN, true);
        List<Row> rows = List.of(
                new Row(ApiToken.NONE, "PUT", "/api/objects/x", null, true),
                new Row(ApiToken.of(null, false), "DELETE", "/api/files/a/b", null, true),
                new Row(writes, "PUT", "/api/objects/x", null, false),
                new Row(writes, "PUT", "/api/objects/x", "wrong-token-wrong-token", false),
                new Row(writes, "PUT", "/api/objects/x", TOKEN, true),
                new Row(writes, "DELETE", "/api/files/a/b", null, false),
                new Row(writes, "POST", "/api/objects/x", TOKEN + "x", false),
                new Row(writes, "POST", "/replication/applied", null, false),
                new Row(writes, "POST", "/replication/applied", TOKEN, true),
                new Row(writes, "GET", "/api/objects/x", null, true),
                new Row(writes, "HEAD", "/api/files/a", null, true),
                new Row(writes, "GET", "/api/objects", null, true),
                new Row(all, "GET", "/api/objects/x", null, false),
                new Row(all, "GET", "/api/objects", TOKEN, true),
                new Row(all, "GET", "/health", null, true),
                new Row(all, "GET", "/primary", null, true),
                new Row(all, "GET", "/replica", null, true),
                new Row(all, "GET", "/metrics", null, true),
                new Row(all, "GET", "/quarantine", null, true));
        for (Row row : rows) {
            assertThat(row.access().refusal(row.method(), row.path(), row.presented()).isEmpty())
                    .as("%s %s with %s", row.method(), row.path(), row.presented()).isEqualTo(row.allowed());
        }
    }

    @Test
    void shouldSayWhatIsMissingWithoutEchoingTheToken() {
        assertThat(ApiToken.of(TOKEN, false).refusal("PUT", "/api/objects/x", null)).get().asString()
                .contains("X-Understudy-Token");
        assertThat(ApiToken.of(TOKEN, false).refusal("PUT", "/api/objects/x", "nope")).get().asString()
                .doesNotContain(TOKEN).doesNotContain("nope");
    }
}
