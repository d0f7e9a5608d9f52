package io.understudy.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP forwarder on a loopback port of its own that can cut the link on demand, for fault
 * injection: {@link Mode#PASS} forwards bytes both ways; {@link Mode#REFUSE} closes every
 * connection at once (existing and new); {@link Mode#BLACKHOLE} closes the existing ones and
 * accepts new ones without ever forwarding a byte, so the client waits for its own timeouts.
 * Blocking sockets, two daemon threads per connection. Thread-safe.
 */
public final class FaultProxy implements AutoCloseable {

    /** What the proxy does with traffic. */
    public enum Mode {
        /** Forward both ways. */
        PASS,
        /** Close existing connections and every new one at once (a refused/reset link). */
        REFUSE,
        /** Close existing connections; accept new ones but forward nothing (a silent network). */
        BLACKHOLE
    }

    private static final Logger LOG = LoggerFactory.getLogger(FaultProxy.class);

    private final String name;
    private final InetSocketAddress target;
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile Mode mode = Mode.PASS;
    private volatile boolean closed;

    /** Listens on a free loopback port at once and forwards to {@code targetPort} on loopback. */
    public FaultProxy(String name, int targetPort) throws IOException {
        this.name = name;
        this.target = new InetSocketAddress(ApplianceConfig.HOST, targetPort);
        this.server = new ServerSocket(0, 50, InetAddress.getByName(ApplianceConfig.HOST));
        Thread acceptor = new Thread(this::acceptLoop, "fault-proxy-" + name);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    public Mode mode() {
        return mode;
    }

    /** Changes what happens to traffic; leaving {@link Mode#PASS} drops every open connection. */
    public void setMode(Mode next) {
        Mode previous = mode;
        mode = next;
        if (next != Mode.PASS) {
            closeAll();
        } else if (previous == Mode.BLACKHOLE) {
            closeAll(); // the black-holed sockets never carried a byte; let the clients reconnect
        }
        if (previous != next) {
            LOG.info("fault proxy {} ({} -> {}): {} -> {}", name, port(), target.getPort(), previous, next);
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("fault proxy {} stopped accepting: {}", name, e.toString());
                }
                return;
            }
            Mode now = mode;
            if (now == Mode.REFUSE) {
                closeQuietly(client);
            } else if (now == Mode.BLACKHOLE) {
                open.add(client);
            } else {
                connect(client);
            }
        }
    }

    private void connect(Socket client) {
        Socket upstream = new Socket();
        try {
            upstream.connect(target, 2000);
            client.setTcpNoDelay(true);
            upstream.setTcpNoDelay(true);
        } catch (IOException e) {
            closeQuietly(client);
            closeQuietly(upstream);
            return;
        }
        open.add(client);
        open.add(upstream);
        if (mode != Mode.PASS) {
            // cut while this connection was being set up: closeAll() could not see it yet
            closeQuietly(client);
            closeQuietly(upstream);
            return;
        }
        pump(client, upstream, "up");
        pump(upstream, client, "down");
    }

    private void pump(Socket from, Socket to, String direction) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (SocketException e) {
                // closed by the other pump or by a cut: the normal way out
            } catch (IOException e) {
                LOG.debug("fault proxy {} {}: {}", name, direction, e.toString());
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "fault-proxy-" + name + "-" + direction);
        thread.setDaemon(true);
        thread.start();
    }

    private void closeAll() {
        for (Socket socket : open) {
            closeQuietly(socket);
        }
    }

    private void closeQuietly(Socket socket) {
        open.remove(socket);
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debug("fault proxy {}: close failed: {}", name, e.toString());
        }
    }

    /** Stops listening and drops every connection; idempotent. */
    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("fault proxy {}: {}", name, e.toString());
        }
        closeAll();
    }
}
