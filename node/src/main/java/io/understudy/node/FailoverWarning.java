package io.understudy.node;

import io.understudy.cluster.ClusterView;
import io.understudy.cluster.FailoverOutlook;
import io.understudy.cluster.PrimaryRecord;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says loudly when the cluster cannot fail over: the recorded primary is not live and no member is
 * eligible. A WARN with every member's reason when it starts and every 10 s while it lasts, an
 * INFO when it ends. Event thread only.
 */
final class FailoverWarning {

    private static final Logger log = LoggerFactory.getLogger(FailoverWarning.class);
    private static final long REPEAT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private boolean blocked;
    private long warnedAtNanos;

    void check(ClusterView view, long nowNanos) {
        String why = view.primary().isPresent() && view.livePrimary().isEmpty() ? FailoverOutlook.of(view).blocked() : null;
        if (why == null) {
            if (blocked) {
                log.info("failover no longer blocked: eligible now {}", FailoverOutlook.of(view).eligible());
            }
            blocked = false;
            return;
        }
        if (!blocked || nowNanos - warnedAtNanos >= REPEAT_NANOS) {
            PrimaryRecord p = view.primary().get();
            log.warn("primary {}@{} is not live and nobody can take over; {}", p.nodeId(), p.epoch(), why);
            warnedAtNanos = nowNanos;
        }
        blocked = true;
    }
}
