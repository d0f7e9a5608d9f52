package io.understudy.node.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.node.replication.ReplicationSettings.SyncFallback;
import io.understudy.node.replication.ReplicationSettings.SyncMode;
import io.understudy.node.replication.SyncPolicy.Before;
import org.junit.jupiter.api.Test;

class SyncPolicyTest {

    @Test
    void shouldNeverWaitInAsyncMode() {
        assertThat(SyncPolicy.before(SyncMode.ASYNC, SyncFallback.REFUSE, false)).isEqualTo(Before.PROCEED);
        assertThat(SyncPolicy.before(SyncMode.ASYNC, SyncFallback.ASYNC, true)).isEqualTo(Before.PROCEED);
    }

    @Test
    void shouldWaitInSyncModeWhenASecondaryIsAttached() {
        assertThat(SyncPolicy.before(SyncMode.SYNC, SyncFallback.REFUSE, true)).isEqualTo(Before.WAIT);
        assertThat(SyncPolicy.before(SyncMode.SYNC, SyncFallback.ASYNC, true)).isEqualTo(Before.WAIT);
    }

    @Test
    void shouldRefuseOrDegradeAsConfiguredWithoutASecondary() {
        assertThat(SyncPolicy.before(SyncMode.SYNC, SyncFallback.REFUSE, false)).isEqualTo(Before.REFUSE);
        assertThat(SyncPolicy.before(SyncMode.SYNC, SyncFallback.ASYNC, false)).isEqualTo(Before.DEGRADED);
    }

    @Test
    void shouldAcknowledgeATimedOutWriteOnlyWhenDegradingIsAllowed() {
        assertThat(SyncPolicy.acknowledgeAfterTimeout(SyncFallback.ASYNC)).isTrue();
        assertThat(SyncPolicy.acknowledgeAfterTimeout(SyncFallback.REFUSE)).isFalse();
    }

    @Test
    void shouldCountASecondaryAttachedOnlyWithAFreshReportAtOrPastTheCatchUpPoint() {
        assertThat(SyncPolicy.attached(100, 1500, 50, 0)).isTrue();
        assertThat(SyncPolicy.attached(1501, 1500, 50, 0)).as("stale report").isFalse();
        assertThat(SyncPolicy.attached(-1, 1500, 0, 0)).as("never reported").isFalse();
        assertThat(SyncPolicy.attached(100, 1500, 49, 50)).as("behind a timed-out wait").isFalse();
        assertThat(SyncPolicy.attached(100, 1500, 50, 50)).as("caught up").isTrue();
    }
}
