package io.understudy.replicator;

import java.util.function.Supplier;

/**
 * Ends the applying of groups at one instant, so a drained stream can stop its engine off the critical path: once
 * {@link #seal()} returns, the group that was being applied (if any) has committed and no group is applied after it.
 * Applying and sealing take the same lock. Thread-safe.
 */
final class ApplySeal {

    private boolean sealed;

    /** Applies a group unless sealed (then returns {@code refused}); holds the lock {@link #seal()} waits for meanwhile. */
    synchronized <T> T apply(Supplier<T> group, T refused) {
        return sealed ? refused : group.get();
    }

    /** Waits for a group being applied, then refuses every later one. Idempotent. */
    synchronized void seal() {
        sealed = true;
    }

    synchronized boolean isSealed() {
        return sealed;
    }
}
