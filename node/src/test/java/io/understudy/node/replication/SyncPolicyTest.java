package io.understudy.node.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.node.replication.ReplicationSettings.SyncFallback;
import io.understudy.node.replication.ReplicationSettings.SyncMode;
import io.understudy.node.replication.SyncPolicy.Before;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SyncPolicyTest {

    @ParameterizedTest(name = "{0}, fallback {1}, standbys {2}, one reporting {3} -> {4}")
    @CsvSource({
            "ASYNC, REFUSE, false, false, PROCEED",
            "ASYNC, ASYNC,  true,  true,  PROCEED",
            // standbys that report: wait for every one of them
            "SYNC,  REFUSE, true,  true,  WAIT",
            "SYNC,  ASYNC,  true,  true,  WAIT",
            // no standby at all
            "SYNC,  REFUSE, false, false, REFUSE",
            "SYNC,  ASYNC,  false, false, DEGRADED",
            // standbys all silent: refuse at once, or wait until they leave and acknowledge degraded
            "SYNC,  REFUSE, true,  false, REFUSE",
            "SYNC,  ASYNC,  true,  false, WAIT",
    })
    void shouldDecideBeforeEachWrite(SyncMode mode, SyncFallback fallback, boolean standbys, boolean reporting, Before expected) {
        assertThat(SyncPolicy.before(mode, fallback, standbys, reporting)).isEqualTo(expected);
    }

    @Test
    void shouldAcknowledgeATimedOutWriteOnlyWhenDegradingIsAllowed() {
        assertThat(SyncPolicy.acknowledgeAfterTimeout(SyncFallback.ASYNC)).isTrue();
        assertThat(SyncPolicy.acknowledgeAfterTimeout(SyncFallback.REFUSE)).isFalse();
    }
}
