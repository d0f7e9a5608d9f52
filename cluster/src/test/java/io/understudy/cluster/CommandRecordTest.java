package io.understudy.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CommandRecordTest {

    @Test
    void shouldRoundTripThroughJsonAndIgnoreUnknownFields() {
        CommandRecord command = new CommandRecord("c1", CommandRecord.Type.SWITCHOVER, "b", 3, "switch@h:1 from 10.0.0.1",
                42, "planned maintenance");

        CommandRecord back = ClusterJson.fromBytes(ClusterJson.toBytes(command), CommandRecord.class);
        CommandRecord withExtra = ClusterJson.fromBytes(
                "{\"id\":\"c2\",\"type\":\"PAUSE\",\"future\":true}".getBytes(), CommandRecord.class);

        assertThat(back).isEqualTo(command);
        assertThat(withExtra.type()).isEqualTo(CommandRecord.Type.PAUSE);
        assertThat(withExtra.targetNodeId()).isNull();
    }

    @Test
    void shouldRejectSwitchoverWithoutTargetAndNegativeEpoch() {
        assertThatThrownBy(() -> new CommandRecord("c", CommandRecord.Type.SWITCHOVER, " ", 0, "me", 0, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("targetNodeId");
        assertThatThrownBy(() -> new CommandRecord("c", CommandRecord.Type.FAILOVER, null, -1, "me", 0, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expectedEpoch");
    }
}
