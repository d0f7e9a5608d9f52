package io.understudy.node.role;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one switch that lets this node accept writes. Open only while the node is primary in one
 * epoch <em>and</em> holds a fresh ZooKeeper lease: the last round trip to ZooKeeper that
 * succeeded started less than {@link #leaseFor two thirds of the session timeout} ago, by the
 * monotonic clock. ZooKeeper cannot expire the session (and so let another node promote) before
 * the whole session timeout has passed since then, so a JVM that was paused
 * past its lease finds the gate shut when it wakes, before it looks at anything else.
 *
 * <p>Thread-safe; {@link #admit()} is lock-free for the request path.
 */
public final class WriteGate {

    private static final Logger log = LoggerFactory.getLogger(WriteGate.class);

    /** Why a write may or may not proceed. */
    public sealed interface Verdict {
        record Open(long epoch) implements Verdict {
        }

        record Closed(String reason) implements Verdict {
        }
    }

    /**
     * How long a request stamped for the epoch a promotion is {@link #opening} waits for the gate: the steps between
     * claiming {@code /primary} and opening take milliseconds; one that waited this long is refused as before.
     */
    public static final Duration OPENING_PATIENCE = Duration.ofSeconds(1);

    private final LongSupplier nanoClock;
    private volatile long leaseNanos;
    private volatile long openEpoch;
    private volatile long leaseStartNanos;
    private volatile String closedReason = "not primary";
    /** The epoch a promotion that has claimed {@code /primary} is about to open for, 0 for none; guarded by this. */
    private long opening;

    /**
     * The lease for a negotiated ZooKeeper session timeout: two thirds of it. That is the ZooKeeper
     * client's own read timeout (it disconnects after hearing nothing for that long), and it leaves
     * a third of the session (600 ms of 1.8 s) between the end of this node's lease and the
     * earliest moment the leader can expire its session, which covers a follower reporting this
     * session's last contact to the leader up to half a tick late and any drift between machines.
     */
    public static long leaseFor(long sessionTimeoutMs) {
        return sessionTimeoutMs * 2 / 3;
    }

    /**
     * How often the lease is renewed: a sixth of the session timeout (300 ms of 1.8 s), so that a
     * 500 ms freeze still finds a lease younger than {@link #leaseFor} and the ZooKeeper client's
     * last contact is never older than that when a server is lost.
     */
    public static long renewIntervalFor(long sessionTimeoutMs) {
        return Math.max(50, sessionTimeoutMs / 6);
    }

    public WriteGate(long leaseMillis, LongSupplier nanoClock) {
        this.leaseNanos = leaseMillis * 1_000_000L;
        this.nanoClock = nanoClock;
    }

    /** The session timeout ZooKeeper actually negotiated may differ from the one asked for. */
    public void setLeaseMillis(long leaseMillis) {
        this.leaseNanos = leaseMillis * 1_000_000L;
    }

    /** Opens for {@code epoch}; {@code leaseStartNanos} is when the round trip that proved the lease began. */
    public synchronized void open(long epoch, long leaseStartNanos) {
        renewLease(leaseStartNanos);
        this.openEpoch = epoch;
        opening = 0;
        notifyAll();
        log.info("write gate open for epoch {}", epoch);
    }

    /**
     * Says that this node claimed {@code /primary} for {@code epoch} and will open the gate for it unless the promotion
     * fails, which then {@link #close closes} it. Requests stamped for that epoch may {@link #awaitOpen wait} meanwhile:
     * the switch routes to a primary as soon as {@code /primary} names it.
     */
    public synchronized void opening(long epoch) {
        opening = epoch;
    }

    /**
     * Waits up to {@code patience} while the gate is {@link #opening} for {@code epoch}; returns at once when it is open
     * for that epoch or not about to be. True when it is open for {@code epoch} on return. Never opens anything: a
     * request that waited is admitted by the same checks as any other. An interrupted wait ends at once, the thread's
     * interrupt status kept.
     */
    public boolean awaitOpen(long epoch, Duration patience) {
        if (openEpoch == epoch) {
            return true;
        }
        long deadline = System.nanoTime() + patience.toNanos();
        synchronized (this) {
            while (openEpoch != epoch && opening == epoch) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            return openEpoch == epoch;
        }
    }

    /** Idempotent. Called first on every path that gives up the primary role, and when a promotion fails. */
    public synchronized void close(String reason) {
        if (openEpoch != 0) {
            log.info("write gate closed for epoch {} ({})", openEpoch, reason);
        } else if (opening != 0) {
            log.info("write gate stays closed: it will not open for epoch {} ({})", opening, reason);
        }
        openEpoch = 0;
        opening = 0;
        closedReason = reason;
        notifyAll();
    }

    /** Records a successful ZooKeeper round trip that started at {@code sentAtNanos}. */
    public synchronized void renewLease(long sentAtNanos) {
        if (sentAtNanos - leaseStartNanos > 0 || leaseStartNanos == 0) {
            leaseStartNanos = sentAtNanos;
        }
    }

    public Verdict admit() {
        long epoch = openEpoch;
        if (epoch == 0) {
            return new Verdict.Closed(closedReason);
        }
        long age = nanoClock.getAsLong() - leaseStartNanos;
        if (age >= leaseNanos) {
            return new Verdict.Closed("ZooKeeper lease expired " + (age - leaseNanos) / 1_000_000 + " ms ago");
        }
        return new Verdict.Open(epoch);
    }

    /** Whether a write admitted in {@code epoch} may still be acknowledged. */
    public boolean stillOpen(long epoch) {
        return admit() instanceof Verdict.Open open && open.epoch() == epoch;
    }

    public long epoch() {
        return openEpoch;
    }
}
