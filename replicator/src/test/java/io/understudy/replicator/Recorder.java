package io.understudy.replicator;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/** Records every callback, for assertions and latency measurement. */
final class Recorder implements ReplicationListener {

    record Applied(long position, long lagMs, long atNanos) {
    }

    final List<Applied> applied = new ArrayList<>();
    final List<State> states = new ArrayList<>();
    final BlockingQueue<Applied> queue = new LinkedBlockingQueue<>();

    @Override
    public synchronized void onApplied(long commitPosition, long lagMs) {
        Applied a = new Applied(commitPosition, lagMs, System.nanoTime());
        applied.add(a);
        queue.add(a);
    }

    @Override
    public synchronized void onStateChanged(ReplicationStatus status) {
        states.add(status.state());
    }

    synchronized void clear() {
        applied.clear();
        queue.clear();
    }

    synchronized List<Long> positions() {
        return applied.stream().map(Applied::position).toList();
    }

    synchronized List<State> states() {
        return new ArrayList<>(states);
    }
}
