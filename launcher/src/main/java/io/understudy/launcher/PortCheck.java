package io.understudy.launcher;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** Finds which of the appliance's loopback ports another program already listens on. */
final class PortCheck {

    private PortCheck() {
    }

    /** The ports of {@code ports} that cannot be bound on 127.0.0.1 right now. */
    static List<Integer> taken(List<Integer> ports) {
        List<Integer> taken = new ArrayList<>();
        for (int port : ports) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(InetAddress.getByName(ApplianceConfig.HOST), port));
            } catch (IOException e) {
                taken.add(port);
            }
        }
        return taken;
    }
}
