package io.understudy.failoverswitch;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A node whose JVM froze (SIGSTOP) with the switch's requests on their way: connections to it are
 * established and the bytes sent arrive (the kernel does that, not the process), but nothing ever
 * answers. It takes each request head off the socket only to count it (so a test knows the
 * request reached it), and never writes.
 */
final class StalledNode implements AutoCloseable {

    private final ServerSocket listener;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger requestsSeen = new AtomicInteger();

    StalledNode() throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "stalled-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String url() {
        return "http://127.0.0.1:" + listener.getLocalPort();
    }

    /** Request heads that reached the node. */
    int requestsSeen() {
        return requestsSeen.get();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                sockets.add(socket);
                Thread reader = new Thread(() -> watch(socket), "stalled-conn");
                reader.setDaemon(true);
                reader.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Counts request heads and never answers, until the peer or the test closes the connection. */
    private void watch(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            int matched = 0;
            byte[] end = {'\r', '\n', '\r', '\n'};
            for (int b = in.read(); b != -1; b = in.read()) {
                matched = b == end[matched] ? matched + 1 : b == '\r' ? 1 : 0;
                if (matched == end.length) {
                    requestsSeen.incrementAndGet();
                    matched = 0;
                }
            }
        } catch (IOException e) {
            // the peer reset the connection, or the test is over
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket socket : sockets) {
            socket.close();
        }
    }
}
