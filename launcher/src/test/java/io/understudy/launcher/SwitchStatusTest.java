package io.understudy.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SwitchStatusTest {

    private static SwitchStatus parse(String json) {
        return SwitchStatus.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldBeReadyWithPrimaryAndHealthySecondary() {
        SwitchStatus status = parse("""
                {"primary":{"nodeId":"a","epoch":3,"apiUrl":"http://127.0.0.1:8081","live":true},
                 "members":[{"nodeId":"a","role":"PRIMARY","apiUrl":"http://127.0.0.1:8081","healthy":true,"lagMs":-1},
                            {"nodeId":"b","role":"SECONDARY","apiUrl":"http://127.0.0.1:8082","healthy":true,"lagMs":4}],
                 "extra":"ignored"}""");
        assertThat(status.ready()).isTrue();
        assertThat(status.primaryNodeId()).contains("a");
        assertThat(status.healthySecondary()).map(SwitchStatus.Member::nodeId).contains("b");
        assertThat(status.summary()).isEqualTo("primary=a (epoch 3), members=[a PRIMARY healthy, b SECONDARY healthy lag 4 ms]");
    }

    @Test
    void shouldNotBeReadyWithoutPrimary() {
        SwitchStatus status = parse("""
                {"primary":null,"members":[{"nodeId":"b","role":"SECONDARY","healthy":true,"lagMs":0}]}""");
        assertThat(status.ready()).isFalse();
        assertThat(status.primaryNodeId()).isEmpty();
    }

    @Test
    void shouldNotBeReadyWhileTheSecondaryIsUnhealthyOrStillStarting() {
        assertThat(parse("""
                {"primary":{"nodeId":"a","epoch":1,"live":true},"members":[{"nodeId":"a","role":"PRIMARY","healthy":true},
                 {"nodeId":"b","role":"SECONDARY","healthy":false}]}""").ready()).isFalse();
        assertThat(parse("""
                {"primary":{"nodeId":"a","epoch":1,"live":true},"members":[{"nodeId":"a","role":"PRIMARY","healthy":true},
                 {"nodeId":"b","role":"STARTING","healthy":true}]}""").ready()).isFalse();
    }

    @Test
    void shouldNotBeReadyWhileThePrimaryRecordNamesANodeThatIsNotLive() {
        SwitchStatus status = SwitchStatus.parse("""
                {"primary":{"nodeId":"b","epoch":1,"live":false},"members":[{"nodeId":"b","role":"STARTING","healthy":false},
                {"nodeId":"a","role":"SECONDARY","healthy":true,"lagMs":0}]}""".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(status.ready()).isFalse();
        assertThat(status.primaryNodeId()).isEmpty();
        assertThat(status.summary()).startsWith("primary=b (epoch 1, not live)");
    }

    @Test
    void shouldNotCountThePrimaryAsItsOwnSecondary() {
        assertThat(parse("""
                {"primary":{"nodeId":"a","epoch":1,"live":true},"members":[{"nodeId":"a","role":"SECONDARY","healthy":true}]}""")
                .ready()).isFalse();
    }

    @Test
    void shouldTreatMissingMembersAsNone() {
        assertThat(parse("{\"primary\":null}").members()).isEmpty();
    }
}
