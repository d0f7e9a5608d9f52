package io.understudy.node.supervise;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/** The one-thread executors that own the state of the supervision classes. */
public final class Threads {

    private Threads() {
    }

    /**
     * One named thread. On shutdown, tasks already queued still run but timers not yet due are dropped, so a
     * restart planned a minute ahead does not hold up the node's stop.
     */
    public static ScheduledExecutorService eventThread(String name) {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }
}
