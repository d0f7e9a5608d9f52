package io.understudy.chaos;

import io.understudy.chaos.fault.Fault;
import io.understudy.workload.CheckReport;
import io.understudy.workload.History;
import io.understudy.workload.HistoryChecker;
import io.understudy.workload.Op;
import io.understudy.workload.Stored;
import io.understudy.workload.Writers;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs chaos cycles against a settled cluster under the writers' load: inject → wait for the
 * failover (or hold, when none is expected) → heal → wait until every node is back and each
 * secondary streams → check the history so far. One thread.
 */
public final class ChaosRunner {

    /**
     * @param writesWithoutSecondary the primary acknowledges writes while it has no secondary
     *                               ({@code replication.syncFallback=async}), so a failover is only
     *                               complete once writes flow in the new epoch
     * @param failoverTimeout        how long a failover may take
     * @param settleTimeout          how long the cluster may take to have every node back after healing
     */
    public record Settings(boolean writesWithoutSecondary, Duration failoverTimeout, Duration settleTimeout) {
        public static final Settings DEFAULTS = new Settings(true, Duration.ofSeconds(90), Duration.ofMinutes(3));
    }

    private static final Logger LOG = LoggerFactory.getLogger(ChaosRunner.class);
    private static final Duration WRITES_FLOW_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CONVERGE_TIMEOUT = Duration.ofSeconds(60);

    private final ChaosCluster cluster;
    private final History history;
    private final String prefix;
    private final Settings settings;
    private long checkedFromSeq = 1;

    public ChaosRunner(ChaosCluster cluster, History history, String prefix, Settings settings) {
        this.cluster = cluster;
        this.history = history;
        this.prefix = prefix;
        this.settings = settings;
    }

    /** Runs one cycle of {@code fault}; a fault that cannot be injected or healed throws (the run should stop). */
    public CycleRecord cycle(int n, Fault fault) throws Exception {
        long begin = System.nanoTime();
        List<String> violations = new ArrayList<>();
        ClusterState before = awaitSettled(settings.settleTimeout())
                .orElseThrow(() -> new IllegalStateException("cycle " + n + ": the cluster is not settled before the fault: "
                        + cluster.state().map(ClusterState::summary).orElse("switch down")));
        long flowing = System.nanoTime();
        if (!ChaosCluster.await(WRITES_FLOW_TIMEOUT, () -> history.lastAckSentAfter(flowing) != null)) {
            throw new IllegalStateException("cycle " + n + ": no write acknowledged before the fault; " + before.summary());
        }
        LOG.info("cycle {}: injecting {} ({})", n, fault.name(), before.summary());
        long injectAt = System.nanoTime();
        fault.inject(cluster);
        if (fault.expectation() == Fault.Expectation.FAILOVER) {
            if (!ChaosCluster.await(settings.failoverTimeout(), () -> tookOver(before.epoch(), injectAt))) {
                violations.add("no failover within " + settings.failoverTimeout().toSeconds() + " s: "
                        + cluster.state().map(ClusterState::summary).orElse("switch down"));
            }
        } else {
            TimeUnit.MILLISECONDS.sleep(fault.holdFor().toMillis()); // the fault's duration, not synchronisation
        }
        LOG.info("cycle {}: healing {} ({})", n, fault.name(), cluster.state().map(ClusterState::summary).orElse("switch down"));
        fault.heal(cluster);
        long healAt = System.nanoTime();
        Optional<ClusterState> after = awaitSettled(settings.settleTimeout());
        if (after.isEmpty()) {
            violations.add("not settled " + settings.settleTimeout().toSeconds() + " s after healing: "
                    + cluster.state().map(ClusterState::summary).orElse("switch down"));
        }
        if (!ChaosCluster.await(WRITES_FLOW_TIMEOUT, () -> history.lastAckSentAfter(healAt) != null)) {
            violations.add("no write acknowledged within " + WRITES_FLOW_TIMEOUT.toSeconds() + " s after healing");
        }
        long end = System.nanoTime();
        ClusterState now = after.orElseGet(() -> cluster.state().orElse(new ClusterState(null, List.of())));
        boolean failover = now.epoch() != before.epoch();
        if (fault.expectation() == Fault.Expectation.NO_FAILOVER && failover) {
            violations.add("failover where none was expected: epoch " + before.epoch() + " -> " + now.epoch());
        }
        CheckReport check = checkSince(checkedFromSeq);
        violations.addAll(check.violations());
        int acked = (int) history.snapshot().stream()
                .filter(op -> op.acked() && op.endNanos() >= injectAt && op.endNanos() <= end).count();
        CycleRecord record = new CycleRecord(n, fault.name(), fault.expectation(), failover,
                history.longestAckGapMs(injectAt, end), history.failuresBetween(injectAt, end), acked, check.lostCount(),
                check.duplicates().size(), before.epoch(), now.epoch(), before.livePrimary().orElse("-"),
                now.livePrimary().orElse("-"), TimeUnit.NANOSECONDS.toMillis(end - begin), violations);
        LOG.info("{}", record.line());
        return record;
    }

    /** A live primary in a newer epoch, and (when the cluster acknowledges without a secondary) a write acknowledged in it. */
    private boolean tookOver(long epochBefore, long injectAt) {
        Optional<ClusterState> state = cluster.state();
        if (state.isEmpty() || state.get().livePrimary().isEmpty() || state.get().epoch() <= epochBefore) {
            return false;
        }
        if (!settings.writesWithoutSecondary()) {
            return true;
        }
        Op last = history.lastAckSentAfter(injectAt);
        return last != null && last.epoch() > epochBefore;
    }

    /**
     * Waits until the cluster has looked settled for {@link #SETTLED_FOR} without a break: right
     * after a fault the member records can still show the state from before it (a secondary says
     * STREAMING until its replicator notices that its source went away).
     */
    private Optional<ClusterState> awaitSettled(Duration timeout) {
        ClusterState[] last = new ClusterState[1];
        long[] since = {0};
        boolean settled = ChaosCluster.await(timeout, () -> {
            Optional<ClusterState> state = cluster.state();
            state.ifPresent(s -> last[0] = s);
            if (!state.map(s -> s.settled(cluster.nodeIds().size())).orElse(false)) {
                since[0] = 0;
                return false;
            }
            long now = System.nanoTime();
            if (since[0] == 0) {
                since[0] = now;
            }
            return now - since[0] >= SETTLED_FOR.toNanos();
        });
        return settled ? Optional.of(last[0]) : Optional.empty();
    }

    private static final Duration SETTLED_FOR = Duration.ofSeconds(3);

    /**
     * Checks every write numbered {@code fromSeq} or later against every node, retrying for a while
     * so a secondary still applying the last writes is not taken for a loss; advances the
     * checkpoint when clean.
     */
    CheckReport checkSince(long fromSeq) throws InterruptedException {
        CheckReport report = null;
        long deadline = System.nanoTime() + CONVERGE_TIMEOUT.toNanos();
        do {
            if (report != null) {
                TimeUnit.MILLISECONDS.sleep(500); // polling interval while the secondary converges
            }
            long pendingFrom = history.firstIncompleteSeq();
            List<Op> ops = history.snapshot().stream().filter(op -> op.seq() >= fromSeq).toList();
            try {
                Map<String, Map<String, Stored>> nodes = new LinkedHashMap<>();
                for (String node : cluster.nodeIds()) {
                    nodes.put(node, cluster.objects(node, prefix, Writers.idOf(prefix, fromSeq - 1)));
                }
                report = HistoryChecker.check(ops, nodes);
            } catch (IOException e) {
                LOG.info("check: a node did not list its objects ({}); retrying", e.getMessage());
                report = null;
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("cannot read the nodes' objects for the check: " + e.getMessage(), e);
                }
                TimeUnit.MILLISECONDS.sleep(500);
                continue;
            }
            if (report.violations().isEmpty()) {
                checkedFromSeq = Math.max(checkedFromSeq, pendingFrom);
                return report;
            }
        } while (System.nanoTime() - deadline < 0);
        LOG.warn("check from #{}: {}", fromSeq, report.violations());
        return report;
    }

    /** Checks the whole run's history against every node. */
    public CheckReport finalCheck() throws InterruptedException {
        return checkSince(1);
    }
}
