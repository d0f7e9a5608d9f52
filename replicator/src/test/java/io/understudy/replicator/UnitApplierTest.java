package io.understudy.replicator;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.replicator.apply.Change;
import io.understudy.replicator.apply.TableName;
import io.understudy.replicator.capture.DurableGroups.Commit;
import io.understudy.replicator.capture.TransactionAssembler.Kind;
import io.understudy.replicator.capture.TransactionAssembler.Unit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UnitApplierTest {

    @Test
    void aSealedApplierTouchesNeitherTheTargetNorTheStatus() {
        StatusTracker tracker = new StatusTracker("sealed", ReplicationListener.NONE);
        ApplySeal seal = new ApplySeal();
        seal.seal();
        // No target at all: a group that got past the seal would fail on it.
        UnitApplier applier = new UnitApplier(null, "a@1", tracker, seal, 100, null);
        Unit<String> insert = new Unit<>(Kind.TRANSACTION,
                List.of(Change.upsert(Change.Op.INSERT, new TableName("public", "items"), Map.of("id", 1L))), 200, 0, true,
                200, List.of("record"));

        assertThat(applier.apply(List.of(insert), true)).isSameAs(Commit.REFUSED);
        assertThat(applier.apply(List.of(insert), false)).isSameAs(Commit.REFUSED);

        assertThat(tracker.status().appliedPosition()).isZero();
        assertThat(tracker.processedPosition()).isZero();
    }
}
