package io.understudy.launcher.cli.drill;

import io.understudy.cluster.Role;
import io.understudy.failoverswitch.admin.StatusReport;
import io.understudy.launcher.LocalProcesses;
import io.understudy.launcher.cli.AdminClient;
import io.understudy.launcher.cli.CliFailure;
import io.understudy.launcher.cli.StatusParsing;
import io.understudy.workload.History;
import io.understudy.workload.NodeObjects;
import io.understudy.workload.Op;
import io.understudy.workload.Writers;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One drill, start to finish: checks the cluster is ready, starts the load, injects the fault after
 * a warm-up, waits for a new primary to acknowledge writes, keeps the load on for the planned
 * duration, waits a while for the old primary to come back, then checks every acknowledged write on
 * every node that can be read. One thread; the load and the progress lines run on their own.
 */
final class DrillRun {

    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration SETTLE = Duration.ofSeconds(30);
    /** Load after the new primary took over, at least, so the report shows writes flowing again. */
    private static final Duration AFTER_RECOVERY = Duration.ofSeconds(3);
    /** Writes acknowledged for at least this long before the fault, so the report shows the steady state. */
    private static final Duration STEADY_BEFORE_FAULT = Duration.ofSeconds(2);

    private final DrillPlan plan;
    private final String name;
    private final AdminClient client;
    private final PrintWriter out;
    private final DrillEvents events = new DrillEvents();

    DrillRun(DrillPlan plan, String name, AdminClient client, PrintWriter out) {
        this.plan = plan;
        this.name = name;
        this.client = client;
        this.out = out;
    }

    /** The raw material of the report. */
    record Outcome(StatusReport before, StatusReport after, DrillFault fault, String faultText, long startNanos,
                   long startWallMs, long endNanos, long faultNanos, Long releasedNanos, Long newPrimarySeenNanos,
                   String oldPrimaryNote, boolean oldPrimaryBack, List<Op> ops, WriteCheck.Result check, DrillEvents events) {
    }

    Outcome run() throws Exception {
        StatusReport before = ready();
        StatusReport.Primary primary = before.primary();
        Optional<LocalProcesses> local = plan.remote() ? Optional.empty() : LocalProcesses.forSwitch(plan.dataDir(), plan.url());
        String target = plan.kind() == DrillFault.Kind.SWITCHOVER ? switchoverTarget(before) : null;
        DrillFault fault = DrillFault.of(plan.kind(), primary.nodeId(), target, primary.epoch(), local, client, "drill " + name);
        out.println("drill " + name + ": " + fault.kind() + " of primary " + primary.nodeId() + " (epoch " + primary.epoch() + "), "
                + (local.isPresent() ? "local appliance in " + local.get().dataDir() : "through the admin API of " + plan.url())
                + "; " + plan.duration().toSeconds() + " s of load at " + plan.rate() + " writes/s (each followed by a read)"
                + " through " + plan.loadUrl());
        History history = new History();
        long start = System.nanoTime();
        long startWall = System.currentTimeMillis();
        Thread releaseOnExit = new Thread(() -> fault.release(), "drill-release");
        Runtime.getRuntime().addShutdownHook(releaseOnExit);
        Writers writers = new Writers(plan.loadUrl(), name + "-", history, new Writers.Load(plan.threads(), plan.rate(),
                plan.maxWrites(), plan.maxLoadTime(), plan.maxAttempts(), true));
        long faultAt;
        Long released = null;
        Long seen;
        String faultText;
        try (Progress progress = new Progress(out, history, start)) {
            events.start(start);
            progress.start();
            writers.start();
            warmUp(start, history, progress);
            faultAt = System.nanoTime();
            try {
                faultText = fault.inject();
            } catch (CliFailure e) {
                throw e;
            } catch (Exception e) {
                throw new CliFailure("the fault could not be injected: " + e.getMessage());
            }
            events.drill(faultAt, "FAULT", primary.nodeId(), primary.epoch(), faultText);
            progress.note(faultAt, "FAULT: " + faultText);
            seen = awaitNewPrimary(before, target, faultAt, history, progress);
            Optional<String> continued = fault.release();
            if (continued.isPresent()) {
                released = System.nanoTime();
                events.drill(released, "RELEASE", primary.nodeId(), primary.epoch(), continued.get());
                progress.note(released, continued.get());
            }
            long until = Math.max(start + plan.duration().toNanos(), (seen == null ? faultAt : seen) + AFTER_RECOVERY.toNanos());
            waitUntil(until, progress);
            progress.note("stopping the load");
            writers.close();
        } finally {
            writers.close();
            fault.release();
            removeHook(releaseOnExit);
        }
        long end = System.nanoTime();
        RejoinWatch.Result rejoin = new RejoinWatch(client, plan.rejoinWait(), out).await(primary.nodeId(), events);
        StatusReport after = rejoin.status().orElseGet(this::statusOrThrow);
        Set<String> known = new LinkedHashSet<>();
        before.members().forEach(m -> known.add(m.nodeId()));
        out.println("checking " + history.ackedCount() + " acknowledged writes on every node");
        List<Op> ops = history.snapshot();
        WriteCheck.Result check = WriteCheck.run(ops, after, known, name + "-", SETTLE, new NodeObjects());
        events.cluster(client, startWall);
        return new Outcome(before, after, fault, faultText, start, startWall, end, faultAt, released, seen, rejoin.note(),
                rejoin.back(), ops, check, events);
    }

    /**
     * Load before the fault: the planned warm-up, and writes acknowledged steadily for a while (a
     * cold appliance can take seconds to answer its first writes), waiting for the first one no
     * longer than the recovery timeout.
     */
    private void warmUp(long start, History history, Progress progress) throws InterruptedException {
        waitUntil(start + plan.warmUp().toNanos(), progress);
        long deadline = System.nanoTime() + plan.recoveryTimeout().toNanos();
        if (history.ackedCount() == 0) {
            progress.note("no write acknowledged yet; waiting for the first before the fault");
        }
        while (history.ackedCount() == 0) {
            if (System.nanoTime() - deadline > 0) {
                throw new CliFailure("no write was acknowledged before the fault within " + plan.warmUp().plus(
                        plan.recoveryTimeout()).toSeconds() + " s: " + history.failuresBetween(start, System.nanoTime())
                        + "; not injecting it");
            }
            waitUntil(System.nanoTime() + POLL.toNanos(), progress);
        }
        long firstAck = history.snapshot().stream().filter(op -> op.isWrite() && op.acked()).mapToLong(Op::endNanos).min()
                .orElseThrow();
        waitUntil(firstAck + STEADY_BEFORE_FAULT.toNanos(), progress);
    }

    /** A live primary and a healthy secondary: otherwise there is nothing to fail over to. */
    private StatusReport ready() {
        StatusReport status = statusOrThrow();
        StatusReport.Primary p = status.primary();
        if (p == null || !p.live()) {
            throw new CliFailure("no drill without a live primary: " + (p == null ? "the cluster has none" : p.nodeId()
                    + " is not live") + "; see 'understudy status'");
        }
        boolean secondary = status.members().stream().anyMatch(m -> m.role() == Role.SECONDARY && m.healthy()
                && !m.nodeId().equals(p.nodeId()));
        if (!secondary) {
            throw new CliFailure("no drill without a healthy secondary to take over; see 'understudy status'");
        }
        return status;
    }

    private static String switchoverTarget(StatusReport status) {
        return status.members().stream()
                .filter(m -> m.role() == Role.SECONDARY && m.healthy() && m.eligible())
                .sorted(Collections.reverseOrder(java.util.Comparator.comparingInt(StatusReport.Member::priority)))
                .map(StatusReport.Member::nodeId).findFirst()
                .orElseThrow(() -> new CliFailure("no eligible secondary to switch over to; see 'understudy status'"));
    }

    /**
     * Polls the switch until a live primary of a newer epoch (the target, for a switchover; any node
     * but the victim otherwise) acknowledged a write, or the recovery timeout passes.
     *
     * @return when the switch first showed that primary live, or null when it never did
     */
    private Long awaitNewPrimary(StatusReport before, String target, long faultAt, History history, Progress progress)
            throws InterruptedException {
        long epoch = before.primary().epoch();
        String victim = before.primary().nodeId();
        long deadline = faultAt + plan.recoveryTimeout().toNanos();
        Long seen = null;
        while (System.nanoTime() - deadline < 0) {
            Optional<StatusReport> now = status();
            now.ifPresent(s -> progress.cluster(summary(s)));
            StatusReport.Primary p = now.map(StatusReport::primary).orElse(null);
            boolean taken = p != null && p.live() && p.epoch() > epoch
                    && (target != null ? target.equals(p.nodeId()) : !victim.equals(p.nodeId()));
            if (taken && seen == null) {
                seen = System.nanoTime();
                events.drill(seen, "NEW_PRIMARY", p.nodeId(), p.epoch(), "the switch shows " + p.nodeId() + " live as primary"
                        + " of epoch " + p.epoch());
                progress.note(seen, "new primary " + p.nodeId() + " (epoch " + p.epoch() + ")");
            }
            Op ack = history.lastAckSentAfter(faultAt);
            if (seen != null && ack != null && ack.epoch() > epoch) {
                progress.note("writes acknowledged again, by " + ack.node() + " in epoch " + ack.epoch());
                return seen;
            }
            Thread.sleep(POLL.toMillis()); // polling the switch while the cluster fails over
        }
        progress.note("NOT RECOVERED within " + plan.recoveryTimeout().toSeconds() + " s (--recovery-timeout)");
        return seen;
    }

    private void waitUntil(long deadlineNanos, Progress progress) throws InterruptedException {
        while (System.nanoTime() - deadlineNanos < 0) {
            status().ifPresent(s -> progress.cluster(summary(s)));
            Thread.sleep(Math.min(500, Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000))); // the load's duration
        }
    }

    static String summary(StatusReport s) {
        List<String> parts = new ArrayList<>();
        for (StatusReport.Member m : s.members()) {
            parts.add(m.nodeId() + " " + m.role() + "@" + m.epoch() + (m.healthy() ? "" : " unhealthy"));
        }
        return String.join(", ", parts);
    }

    private Optional<StatusReport> status() {
        try {
            return Optional.of(statusOrThrow());
        } catch (CliFailure e) {
            return Optional.empty();
        }
    }

    private StatusReport statusOrThrow() {
        return StatusParsing.fetch(client);
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs anyway, and release is idempotent
        }
    }
}
