package io.understudy.replicator.capture;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Pure bookkeeping of committed groups that are visible on the target but not yet durable there. A group committed
 * with {@code synchronous_commit=off} is lost if the target's PostgreSQL dies before its WAL reaches disk, together
 * with the state row that recorded it; so the source slot must not be told it was consumed, and no one may count on
 * it (sync mode), until the target's flushed WAL position passes the group's commit. A group committed synchronously
 * is durable at once, and so is every group committed before it: its commit flushed the WAL up to its own record.
 * Groups are released in commit order. Not thread-safe: the engine thread owns it.
 *
 * @param <G> what is held for a group (its units, to acknowledge and report once durable)
 */
public final class DurableGroups<G> {

    /**
     * How a group's local transaction ended.
     *
     * @param synced  committed with {@code synchronous_commit} on: durable, and so is all WAL before it
     * @param walEnd  otherwise a target WAL position at or after the commit record (0 when nothing was written)
     * @param flushed the target's flushed WAL position read after the commit
     */
    public record Commit(boolean synced, long walEnd, long flushed) {
        public static final Commit SYNCED = new Commit(true, 0, 0);
        public static final Commit NOTHING_WRITTEN = new Commit(false, 0, 0);
        /** A group that was not applied (the stream is sealed): held for good, so it and every later group stay unacknowledged. */
        public static final Commit REFUSED = new Commit(false, Long.MAX_VALUE, 0);
    }

    private record Held<G>(long walEnd, G group) {
    }

    private final Deque<Held<G>> held = new ArrayDeque<>();

    /**
     * A group committed on the target (or one that wrote nothing: it is released with the groups before it).
     *
     * @return the groups that are durable now, this one included if it is, oldest first
     */
    public List<G> committed(G group, Commit commit) {
        if (commit.walEnd() < 0) {
            throw new IllegalArgumentException("walEnd must be >= 0, got " + commit.walEnd());
        }
        held.addLast(new Held<>(commit.walEnd(), group));
        return commit.synced() ? releaseAll() : flushed(commit.flushed());
    }

    /** The target's WAL is flushed up to {@code flushed}; returns the groups that became durable, oldest first. */
    public List<G> flushed(long flushed) {
        List<G> durable = new ArrayList<>();
        while (!held.isEmpty() && held.peekFirst().walEnd() <= flushed) {
            durable.add(held.removeFirst().group());
        }
        return durable;
    }

    /** Whether some committed group is not yet known to be durable. */
    public boolean pending() {
        return !held.isEmpty();
    }

    private List<G> releaseAll() {
        List<G> durable = new ArrayList<>(held.size());
        held.forEach(h -> durable.add(h.group()));
        held.clear();
        return durable;
    }
}
