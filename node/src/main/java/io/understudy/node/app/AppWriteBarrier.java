package io.understudy.node.app;

/**
 * Runs after the application answered a request that may have written, before the gateway relays that answer: it
 * returns once what the application wrote may be acknowledged in the epoch the request was admitted in. The node's
 * barrier is the application's file capture (everything the application wrote under its files directory goes into
 * the replicated tables) followed by the sync-mode wait ({@link SyncBarrier}); see {@code Node}.
 *
 * <p>Called on a gateway worker thread, concurrently for concurrent requests; implementations are thread-safe and
 * bounded in time.
 */
@FunctionalInterface
public interface AppWriteBarrier {

    /** A barrier that lets every write through at once. */
    AppWriteBarrier NONE = epoch -> { };

    /**
     * @throws NotDurable when the write must not be acknowledged (the client is told why)
     * @throws Exception  when the barrier failed; the answer is withheld as not acknowledged
     */
    void afterWrite(long epoch) throws Exception;

    /** This barrier, then {@code next}. */
    default AppWriteBarrier then(AppWriteBarrier next) {
        return epoch -> {
            afterWrite(epoch);
            next.afterWrite(epoch);
        };
    }

    /** The write happened but cannot be acknowledged, e.g. no secondary confirmed it in sync mode. */
    final class NotDurable extends Exception {
        public NotDurable(String message) {
            super(message, null, false, false);
        }
    }
}
