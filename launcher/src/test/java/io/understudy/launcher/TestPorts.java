package io.understudy.launcher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/** Picks free loopback ports for a whole appliance, so tests never collide with a running one. */
final class TestPorts {

    private TestPorts() {
    }

    /** Every port handed out in this JVM, so two calls never return the same one. */
    private static final Set<Integer> USED = new HashSet<>();

    static synchronized int freePort() {
        return freeRange(1, USED);
    }

    static synchronized ApplianceConfig applianceOnFreePorts(Path dataDir) {
        return applianceOnFreePorts(dataDir, ApplianceConfig.DEFAULT_NODES);
    }

    /** An appliance of {@code nodes} nodes, with free ports kept for all nine node ids (nodes may be added later). */
    static synchronized ApplianceConfig applianceOnFreePorts(Path dataDir, int nodes) {
        return new ApplianceConfig(dataDir, "it", freeRange(1, USED), freeRange(ApplianceConfig.MAX_NODES, USED),
                freeRange(ApplianceConfig.MAX_NODES, USED), ApplianceConfig.firstIds(nodes), freeRange(3, USED),
                freeRange(3, USED), freeRange(3, USED));
    }

    /** The first of {@code length} consecutive ports that are free now and not handed out before. */
    private static int freeRange(int length, Set<Integer> used) {
        for (int attempt = 0; attempt < 1000; attempt++) {
            // Below Linux's ephemeral range (32768+): an outgoing connection of this or another test
            // cannot grab the port between the check and the server binding it.
            int base = ThreadLocalRandom.current().nextInt(20000, 32700);
            List<Integer> range = new ArrayList<>();
            for (int i = 0; i < length; i++) {
                range.add(base + i);
            }
            if (range.stream().noneMatch(used::contains) && PortCheck.taken(range).isEmpty()) {
                used.addAll(range);
                return base;
            }
        }
        throw new IllegalStateException("no free port range of length " + length);
    }

    /** The shaded jar when the build made one (failsafe passes its path), else this JVM's classpath. */
    static String childClasspath() {
        String jar = System.getProperty("understudy.jar");
        return jar != null && Path.of(jar).toFile().isFile() ? jar : System.getProperty("java.class.path");
    }
}
