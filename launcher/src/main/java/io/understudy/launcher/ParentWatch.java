package io.understudy.launcher;

import java.io.IOException;
import java.io.InputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In a child of the local appliance: exits this JVM (running its shutdown hooks) when stdin
 * reaches end-of-file, which happens when the appliance process is gone, however it died.
 */
final class ParentWatch {

    private static final Logger LOG = LoggerFactory.getLogger(ParentWatch.class);

    /** Exit status when the parent vanished: the child did not fail, it was orphaned. */
    static final int ORPHANED_EXIT_CODE = 0;

    private ParentWatch() {
    }

    static void start(InputStream stdin) {
        Thread watch = new Thread(() -> {
            byte[] buffer = new byte[256];
            try {
                while (stdin.read(buffer) >= 0) {
                    // The appliance never writes; anything read is ignored.
                }
            } catch (IOException e) {
                LOG.warn("stdin failed ({}); treating the appliance as gone", e.getMessage());
            }
            LOG.warn("the local appliance that started this process is gone; shutting down");
            System.exit(ORPHANED_EXIT_CODE);
        }, "parent-watch");
        watch.setDaemon(true);
        watch.start();
    }
}
