package io.understudy.failoverswitch.proxy;

import io.understudy.failoverswitch.routing.RouteDecision;
import io.understudy.failoverswitch.routing.RouteDecision.NoPrimary;
import io.understudy.failoverswitch.routing.RouteDecision.Route;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where client traffic goes now. Every request reads {@link #current()} when it is sent, so a
 * kept-alive client connection follows a failover on its next request. {@link #apply} swaps the
 * backend in one volatile write (there is never a moment with the wrong node, only with none),
 * retires the old one's pool, and releases held requests towards the new one.
 *
 * <p>Requests already sent to a retired backend keep waiting for its answer while the route is
 * merely gone (the same node may come back in the same epoch), but once a route in a newer epoch
 * is applied they are abandoned ({@link Backend#supersede()}): the old primary lost its lease, and
 * a frozen one would otherwise hold them for the whole backend timeout while the new one serves.
 */
public final class PrimaryRouter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PrimaryRouter.class);
    /** Figures in a reason, masked when comparing two reasons for the log. */
    private static final Pattern FIGURES = Pattern.compile("\\d+");

    private final int idlePerThread;
    private final HoldQueue holds;
    private final Consumer<Backend> onChange;
    /** Retired backends that may still have requests waiting for their answer; event thread. */
    private final List<Backend> retired = new CopyOnWriteArrayList<>();
    private volatile Backend current;
    private volatile RouteDecision decision = new NoPrimary("not connected to ZooKeeper yet");
    private volatile boolean handOverPending;

    /**
     * @param onChange told about every new backend (null while there is none); event thread
     */
    public PrimaryRouter(int idlePerThread, HoldQueue.Bounds bounds, HoldQueue.Listener holdListener,
            Consumer<Backend> onChange) {
        this.idlePerThread = idlePerThread;
        this.onChange = onChange;
        this.holds = new HoldQueue(bounds, this::current, this::whyNoPrimary, holdListener, System::nanoTime);
    }

    /**
     * Makes {@code next} the routing decision. Call from one thread only (the switch's event
     * thread): the swap and the retire must not interleave with another apply.
     *
     * @param handOver a planned hand-over of the primary role is under way
     *                 ({@link io.understudy.failoverswitch.routing.RouteDecider#handOverPending})
     */
    public void apply(RouteDecision next, boolean handOver) {
        RouteDecision previous = decision;
        boolean wasHandingOver = handOverPending;
        decision = next;
        handOverPending = handOver;
        Backend old = current;
        if (handOver != wasHandingOver && old != null) {
            log.info(handOver ? "primary {} is handing over: requests it refuses wait for the new epoch"
                    : "primary {} is no longer handing over", old.label());
        }
        if (next instanceof Route route && old != null && route.sameTarget(old.route())) {
            if (wasHandingOver && !handOver) {
                // the hand-over did not happen: what this primary refused meanwhile goes back to it
                holds.reoffer(old);
            }
            return;
        }
        if (next instanceof NoPrimary && old == null) {
            // figures (lag bytes, positions) move while nobody can take over: log when the story changes
            if (!FIGURES.matcher(next.reason()).replaceAll("#").equals(FIGURES.matcher(previous.reason()).replaceAll("#"))) {
                log.info("primary none -> none ({})", next.reason());
            }
            return;
        }
        Backend fresh = next instanceof Route route ? new Backend(route, idlePerThread) : null;
        current = fresh;
        log.info("primary {} -> {} ({})", label(old), label(fresh), next.reason());
        if (old != null) {
            old.retire();
            retired.add(old);
        }
        if (fresh != null) {
            supersedeOlderThan(fresh);
        }
        onChange.accept(fresh);
        int released = holds.release(fresh);
        if (released > 0) {
            log.info("released {} held requests to {}", released, fresh.label());
        }
    }

    private void supersedeOlderThan(Backend fresh) {
        for (Backend stale : retired) {
            int waiting = stale.waiting();
            if (stale.epoch() < fresh.epoch()) {
                retired.remove(stale);
                if (waiting > 0) {
                    log.info("abandoning {} requests still waiting for {} ({} took over in a newer epoch)", waiting,
                            stale.label(), fresh.label());
                }
                stale.supersede();
            } else if (waiting == 0) {
                retired.remove(stale);
            }
        }
    }

    public RouteDecision decision() {
        return decision;
    }

    /** A planned hand-over is under way: a primary that refuses now is not coming back in its epoch. Any thread. */
    public boolean handOverPending() {
        return handOverPending;
    }

    /** The backend requests go to now, or null while there is none. Any thread. */
    public Backend current() {
        return current;
    }

    public HoldQueue holds() {
        return holds;
    }

    private String whyNoPrimary() {
        RouteDecision now = decision;
        return now instanceof NoPrimary ? now.reason() : "primary " + label(current) + " did not take the request";
    }

    private static String label(Backend backend) {
        return backend == null ? "none" : backend.label();
    }

    /** Answers everything held with 503 and closes the current backend's connections. */
    @Override
    public void close() {
        holds.close();
        Backend last = current;
        current = null;
        if (last != null) {
            last.retire();
        }
    }
}
