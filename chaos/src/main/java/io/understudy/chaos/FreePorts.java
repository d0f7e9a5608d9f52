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

    /** System property {@code FROM-TO}: hand out ports in that range only, e.g. a range an operator set aside. */
    public static final String RANGE_PROPERTY = "chaos.ports";
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

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

    /** One free port, never handed out before in this JVM, e.g. for an application beside the appliance. */
    public static synchronized int port() {
        return range(1);
    }

    /** The first of {@code length} consecutive free ports, below Linux's ephemeral range so no client socket takes one meanwhile. */
    private static int range(int length) {
        int[] bounds = bounds();
        for (int attempt = 0; attempt < 1000; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(bounds[0], bounds[1] - length + 2);
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

    /** The lowest and highest port to hand out: {@value #RANGE_PROPERTY} when set, else 20000-32700. */
    private static int[] bounds() {
        String range = System.getProperty(RANGE_PROPERTY, "").trim();
        if (range.isEmpty()) {
            return new int[] {20000, 32700};
        }
        String[] parts = range.split("-");
        try {
            int from = Integer.parseInt(parts[0].trim());
            int to = Integer.parseInt(parts[parts.length - 1].trim());
            if (parts.length != 2 || from < 1024 || to > 65535 || to - from < 64) {
                throw new NumberFormatException();
            }
            return new int[] {from, to};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + RANGE_PROPERTY + "=" + range
                    + ": expected FROM-TO, 1024 <= FROM, TO <= 65535, at least 64 ports");
        }
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(ApplianceConfig.HOST))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
