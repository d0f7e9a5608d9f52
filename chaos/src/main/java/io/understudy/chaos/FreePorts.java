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

    private FreePorts() {
    }

    public static synchronized ApplianceConfig appliance(Path dataDir, String cluster) {
        return new ApplianceConfig(dataDir, cluster, range(1), range(1), range(1), range(1), range(1), range(3), range(3), range(3));
    }

    /** One free port, never handed out before in this JVM, e.g. for an application beside the appliance. */
    public static synchronized int port() {
        return range(1);
    }

    /** The first of {@code length} consecutive free ports, below Linux's ephemeral range so no client socket takes one meanwhile. */
    private static int range(int length) {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20000, 32700);
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

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(ApplianceConfig.HOST))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
