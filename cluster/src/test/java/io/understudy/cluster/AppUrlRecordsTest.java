package io.understudy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Member and primary records carry the application gateway's URL, and records written without one still read. */
class AppUrlRecordsTest {

    @Test
    void shouldReadAPrimaryRecordWrittenBeforeGatewaysWithoutAnAppUrl() {
        String old = "{\"nodeId\":\"a\",\"apiUrl\":\"http://127.0.0.1:8081\",\"dbAddress\":\"127.0.0.1:15432/postgres\","
                + "\"epoch\":3,\"sinceMs\":1,\"promotedFromNodeId\":\"b\",\"promotedFromPosition\":42}";
        PrimaryRecord record = ClusterJson.fromBytes(old.getBytes(StandardCharsets.UTF_8), PrimaryRecord.class);
        assertThat(record.appUrl()).isNull();
        assertThat(record.epoch()).isEqualTo(3);
        assertThat(record.promotedFromPosition()).isEqualTo(42);
    }

    @Test
    void shouldKeepAPrimarysAppUrlThroughJson() {
        PrimaryRecord record = new PrimaryRecord("a", "http://127.0.0.1:8081", "db", 2, 5, null, 0, "http://127.0.0.1:9081");
        PrimaryRecord back = ClusterJson.fromBytes(ClusterJson.toBytes(record), PrimaryRecord.class);
        assertThat(back).isEqualTo(record);
        assertThat(back.appUrl()).isEqualTo("http://127.0.0.1:9081");
    }

    @Test
    void shouldReadAMemberRecordWrittenBeforeGatewaysWithoutAnAppUrl() {
        String old = "{\"nodeId\":\"b\",\"apiUrl\":\"http://127.0.0.1:8082\",\"dbAddress\":\"db\",\"role\":\"SECONDARY\","
                + "\"epoch\":1,\"position\":7,\"lagMs\":3,\"healthy\":true,\"version\":\"dev\",\"updatedAtMs\":9}";
        MemberRecord record = ClusterJson.fromBytes(old.getBytes(StandardCharsets.UTF_8), MemberRecord.class);
        assertThat(record.appUrl()).isNull();
        assertThat(record.role()).isEqualTo(Role.SECONDARY);
    }

    @Test
    void shouldKeepAMembersAppUrlThroughJson() {
        MemberRecord record = new MemberRecord("b", "http://127.0.0.1:8082", "db", Role.SECONDARY, 1, 7, 3, true, "dev", 9,
                ReplicationInfo.NONE, MemberRecord.Candidacy.UNKNOWN, "http://127.0.0.1:9082");
        MemberRecord back = ClusterJson.fromBytes(ClusterJson.toBytes(record), MemberRecord.class);
        assertThat(back.appUrl()).isEqualTo("http://127.0.0.1:9082");
        assertThat(back).isEqualTo(record);
    }
}
