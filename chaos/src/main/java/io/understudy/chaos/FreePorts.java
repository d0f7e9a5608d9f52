package io.understudy.chaos;

import io.understudy.launcher.ApplianceConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/** An appliance on free loopback ports, so a chaos run never collides with another appliance or test. */
public final class FreePorts {

    private static final Set<Integer> HANDED_OUT = new HashSet<>();
    /** {@code -Dchaos.ports=22000-22999} keeps a run inside a range of ports of its own. */
    private static final int[] RANGE = bounds(System.getProperty("chaos.ports", "20000-32699"));
    private static final int LOWEST = RANGE[0];
    private static final int HIGHEST = RANGE[1];

    private FreePorts() {
    }

    public static synchronized ApplianceConfig appliance(Path dataDir, String cluster) {
        return appliance(dataDir, cluster, ApplianceConfig.DEFAULT_NODES);
    }

    /** An appliance of {@code nodes} nodes; room is kept for nodes added later (all nine ids). */
    public static synchronized ApplianceConfig appliance(Path dataDir, String cluster, int nodes) {
        return new ApplianceConfig(dataDir, cluster, range(1), range(ApplianceConfig.MAX_NODES), range(ApplianceConfig.MAX_NODES),
                ApplianceConfig.firstIds(nodes), range(3), range(3), range(3));
    }

    /** One free port, e.g. for an application beside a node. */
    public static synchronized int port() {
        return range(1);
    }

    /** The first of {@code length} consecutive free ports, below Linux's ephemeral range so no client socket takes one meanwhile. */
    private static int range(int length) {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(LOWEST, HIGHEST + 1 - length);
            boolean free = true;
            for (int port = base; port < base + length && free; port++) {
                free = !HANDED_OUT.contains(port) && bindable(port);
            }
            if (free) {
                for (int port = base; port < base + length; port++) {
                    HANDED_OUT.add(port);
                }
                return base;
            }
        }
        throw new IllegalStateException("no " + length + " free consecutive ports on " + ApplianceConfig.HOST);
    }

    private static int[] bounds(String spec) {
        String[] bounds = spec.split("-");
        try {
            int low = Integer.parseInt(bounds[0].trim());
            int high = Integer.parseInt(bounds[1].trim());
            if (bounds.length == 2 && low >= 1024 && high <= 65535 && high - low >= 100) {
                return new int[] {low, high};
            }
        } catch (RuntimeException e) {
            // reported below
        }
        throw new IllegalArgumentException("chaos.ports must be LOW-HIGH, 1024-65535, at least 100 ports, got '" + spec + "'");
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(ApplianceConfig.HOST))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
