package io.understudy.chaos;

import io.understudy.workload.CheckReport;
import io.understudy.workload.Op;
import java.io.IOException;
import java.util.List;

/** Checks writes against what every node holds now: the built-in objects, or an application's rows and files. */
@FunctionalInterface
public interface RunCheck {

    /**
     * @param ops         every request of writes numbered {@code fromSeq} or later
     * @param pendingFrom the first write that may still be in flight
     * @throws IOException when a node cannot be read (the check is tried again)
     */
    CheckReport check(List<Op> ops, long fromSeq, long pendingFrom) throws IOException, InterruptedException;
}
