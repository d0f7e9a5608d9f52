package io.understudy.failoverswitch.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.undertow.Undertow;
import io.undertow.client.ClientCallback;
import io.undertow.client.ClientConnection;
import io.undertow.client.ClientExchange;
import io.undertow.client.ClientRequest;
import io.undertow.client.UndertowClient;
import io.undertow.connector.ByteBufferPool;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.HttpHandler;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import io.undertow.util.SameThreadExecutor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.channels.StreamSourceChannel;

/**
 * Relays between real channels on loopback. Each side of a relay is a connection accepted by a real
 * XNIO worker (one IO thread, so both sides share it, as in the switch); the test drives the other
 * end of each with a plain blocking socket, or (for a body read with its head) with a real Undertow
 * client talking to a tiny Undertow server.
 */
class RelayTest {

    private static final int BUFFER_SIZE = 8 * 1024;

    private static XnioWorker worker;
    private static AcceptingChannel<StreamConnection> acceptor;
    private static final BlockingQueue<StreamConnection> accepted = new LinkedBlockingQueue<>();

    private final CountingPool pool = new CountingPool();
    private final List<String> ends = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeAll
    static void startWorker() throws IOException {
        worker = Xnio.getInstance().createWorker(OptionMap.builder()
                .set(Options.WORKER_IO_THREADS, 1)
                .set(Options.WORKER_TASK_CORE_THREADS, 1)
                .set(Options.WORKER_TASK_MAX_THREADS, 1)
                .getMap());
        acceptor = worker.createStreamConnectionServer(new InetSocketAddress("127.0.0.1", 0), null, OptionMap.EMPTY);
        acceptor.getAcceptSetter().set(channel -> {
            try {
                for (StreamConnection c = channel.accept(); c != null; c = channel.accept()) {
                    accepted.add(c);
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        acceptor.resumeAccepts();
    }

    @AfterAll
    static void stopWorker() {
        IoUtils.safeClose(acceptor);
        worker.shutdownNow();
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
    }

    @Test
    void shouldEndInTheCallThatStartsItWhenTheBodyCameWithTheHead() throws Exception {
        byte[] body = randomBytes(100);
        Undertow node = node(exchange -> exchange.getResponseSender().send(ByteBuffer.wrap(body)));
        Side sink = side(0);

        List<String> endsWhenStartReturned = relayResponse(connect(node), sink).get(5, TimeUnit.SECONDS);

        assertThat(endsWhenStartReturned).containsExactly("ended, buffers out: 0");
        assertThat(readAll(sink.peer)).isEqualTo(body);
        assertEndedOnce("ended, buffers out: 0");
    }

    @ParameterizedTest(name = "chunked: {0}")
    @ValueSource(booleans = {false, true})
    void shouldEndOnceWhenTheBodyEndsAfterTheRelayWaitedForIt(boolean chunked) throws Exception {
        CountDownLatch lastPart = new CountDownLatch(1);
        Undertow node = node(exchange -> exchange.dispatch(() -> {
            exchange.startBlocking();
            if (!chunked) {
                exchange.setResponseContentLength(20);
            }
            try (OutputStream out = exchange.getOutputStream()) {
                out.write("first part".getBytes());
                out.flush();
                assertThat(lastPart.await(5, TimeUnit.SECONDS)).isTrue();
                out.write(", then end".getBytes());
            } catch (IOException | InterruptedException e) {
                IoUtils.safeClose(exchange.getConnection());
            }
        }));
        Side sink = side(0);
        relayResponse(connect(node), sink);
        InputStream in = sink.peer.getInputStream();
        assertThat(in.readNBytes(10)).isEqualTo("first part".getBytes());
        await().atMost(5, TimeUnit.SECONDS).until(() -> pool.out.get() == 0);

        // the read that ends Undertow's response channel runs the relay's read listener from inside it
        lastPart.countDown();

        assertThat(new String(in.readAllBytes())).isEqualTo(", then end");
        assertEndedOnce("ended, buffers out: 0");
    }

    @Test
    void shouldEndOnceWhenARequestBodyEndsAfterTheRelayWaitedForIt() throws Exception {
        Side sink = side(0);
        Undertow node = Undertow.builder()
                .setWorker(worker)
                .addHttpListener(0, "127.0.0.1")
                .setHandler(exchange -> exchange.dispatch(SameThreadExecutor.INSTANCE, () -> Relay.start(
                        exchange.getRequestChannel(), sink.connection.getSinkChannel(), pool, recording())))
                .build();
        node.start();
        toClose.add(node::stop);
        int port = ((InetSocketAddress) node.getListenerInfo().get(0).getAddress()).getPort();
        Socket client = new Socket("127.0.0.1", port);
        toClose.add(client);
        OutputStream out = client.getOutputStream();
        InputStream in = sink.peer.getInputStream();

        out.write("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 20\r\n\r\nfirst part".getBytes());
        assertThat(in.readNBytes(10)).isEqualTo("first part".getBytes());
        await().atMost(5, TimeUnit.SECONDS).until(() -> pool.out.get() == 0);
        out.write(", then end".getBytes());

        assertThat(new String(in.readAllBytes())).isEqualTo(", then end");
        assertEndedOnce("ended, buffers out: 0");
    }

    @Test
    void shouldCopyALargeBodyThroughASinkThatTakesItSlowly() throws Exception {
        byte[] body = randomBytes(1024 * 1024);
        Side source = side(0);
        Side sink = side(4096);
        sink.connection.setOption(Options.SEND_BUFFER, 4096);
        CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> writeAndShutDown(source.peer, body));

        start(source, sink);

        // the sink's socket buffers hold a few kilobytes: the relay cannot end before it is read
        assertThat(ends).isEmpty();
        byte[] received = readSlowly(sink.peer);
        writing.get(5, TimeUnit.SECONDS);
        assertThat(received).isEqualTo(body);
        assertEndedOnce("ended, buffers out: 0");
    }

    @Test
    void shouldGiveTheBufferBackWhileItWaitsForTheSource() throws Exception {
        Side source = side(0);
        Side sink = side(0);
        start(source, sink);
        OutputStream out = source.peer.getOutputStream();
        InputStream in = sink.peer.getInputStream();

        out.write("part one".getBytes());
        assertThat(in.readNBytes(8)).isEqualTo("part one".getBytes());
        await().atMost(5, TimeUnit.SECONDS).until(() -> pool.out.get() == 0);
        assertThat(ends).isEmpty();
        out.write(", part two".getBytes());
        source.peer.shutdownOutput();

        assertThat(new String(in.readAllBytes())).isEqualTo(", part two");
        assertEndedOnce("ended, buffers out: 0");
    }

    @Test
    void shouldReportAFailedReadOnce() throws Exception {
        Side source = side(0);
        Side sink = side(0);
        start(source, sink);
        source.peer.getOutputStream().write("some".getBytes());
        assertThat(sink.peer.getInputStream().readNBytes(4)).isEqualTo("some".getBytes());

        reset(source.peer);

        await().atMost(5, TimeUnit.SECONDS).until(() -> !ends.isEmpty());
        assertEndedOnce("readFailed, buffers out: 0");
    }

    @Test
    void shouldReportAFailedWriteOnceWhenTheSinkHungUp() throws Exception {
        Side source = side(0);
        Side sink = side(0);
        reset(sink.peer);
        start(source, sink);

        CompletableFuture.runAsync(() -> writeAndShutDown(source.peer, randomBytes(1024 * 1024)));

        await().atMost(5, TimeUnit.SECONDS).until(() -> !ends.isEmpty());
        assertEndedOnce("writeFailed, buffers out: 0");
    }

    /** One relay end: a connection accepted by the worker, and the blocking socket at its other end. */
    private record Side(Socket peer, StreamConnection connection) {
    }

    /** @param peerReceiveBuffer the peer's receive buffer in bytes, or 0 for the default */
    private Side side(int peerReceiveBuffer) throws Exception {
        Socket peer = new Socket();
        if (peerReceiveBuffer > 0) {
            peer.setReceiveBufferSize(peerReceiveBuffer);
        }
        toClose.add(peer);
        peer.connect(acceptor.getLocalAddress());
        StreamConnection connection = accepted.poll(5, TimeUnit.SECONDS);
        assertThat(connection).as("accepted").isNotNull();
        toClose.add(connection);
        return new Side(peer, connection);
    }

    private void start(Side source, Side sink) {
        onIoThread(() -> Relay.start(source.connection.getSourceChannel(), sink.connection.getSinkChannel(), pool,
                recording()));
    }

    /** Records each ending with the number of pooled buffers not yet given back at that moment. */
    private Relay.Ends recording() {
        return new Relay.Ends() {
            @Override
            public void ended(StreamSourceChannel source, StreamSinkChannel sink) {
                ends.add("ended, buffers out: " + pool.out.get());
                shutDown(sink);
            }

            @Override
            public void readFailed(IOException e) {
                ends.add("readFailed, buffers out: " + pool.out.get());
            }

            @Override
            public void writeFailed(IOException e) {
                ends.add("writeFailed, buffers out: " + pool.out.get());
            }
        };
    }

    /** The one ending seen, and still only that one after every event queued on the IO thread has run. */
    private void assertEndedOnce(String ending) {
        onIoThread(() -> { });
        assertThat(ends).containsExactly(ending);
        assertThat(pool.out.get()).isZero();
    }

    private static void onIoThread(Runnable task) {
        XnioIoThread thread = worker.getIoThread(0);
        CompletableFuture<Void> done = new CompletableFuture<>();
        thread.execute(() -> {
            try {
                task.run();
                done.complete(null);
            } catch (RuntimeException | AssertionError e) {
                done.completeExceptionally(e);
            }
        });
        done.orTimeout(5, TimeUnit.SECONDS).join();
    }

    private static void shutDown(StreamSinkChannel sink) {
        try {
            sink.shutdownWrites();
            sink.flush();
        } catch (IOException e) {
            IoUtils.safeClose(sink);
        }
    }

    /** Closes {@code socket} with a reset instead of an orderly end. */
    private static void reset(Socket socket) throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    private static void writeAndShutDown(Socket socket, byte[] data) {
        try {
            OutputStream out = socket.getOutputStream();
            for (int off = 0; off < data.length; off += 64 * 1024) {
                out.write(data, off, Math.min(64 * 1024, data.length - off));
            }
            socket.shutdownOutput();
        } catch (IOException e) {
            // the relay stopped reading, or the test closed the socket: what the relay reported is asserted
        }
    }

    private static byte[] readAll(Socket socket) throws IOException {
        return socket.getInputStream().readAllBytes();
    }

    /** Reads in small pieces, so the sink keeps filling up and the relay keeps waiting for it. */
    private static byte[] readSlowly(Socket socket) throws IOException {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] piece = new byte[512];
        InputStream in = socket.getInputStream();
        for (int n = in.read(piece); n >= 0; n = in.read(piece)) {
            received.write(piece, 0, n);
        }
        return received.toByteArray();
    }

    private static byte[] randomBytes(int size) {
        byte[] data = new byte[size];
        new Random(7).nextBytes(data);
        return data;
    }

    private Undertow node(HttpHandler handler) {
        Undertow node = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .setIoThreads(1)
                .setWorkerThreads(1)
                .setHandler(handler)
                .build();
        node.start();
        toClose.add(node::stop);
        return node;
    }

    /**
     * Sends a GET on {@code client} and relays the response body to {@code sink}.
     *
     * @return the endings seen when {@link Relay#start} returned
     */
    private CompletableFuture<List<String>> relayResponse(ClientConnection client, Side sink) {
        CompletableFuture<List<String>> endsWhenStartReturned = new CompletableFuture<>();
        client.getIoThread().execute(() -> client.sendRequest(get(), new Callback<ClientExchange>(endsWhenStartReturned) {
            @Override
            public void completed(ClientExchange sent) {
                sent.setResponseListener(new Callback<ClientExchange>(endsWhenStartReturned) {
                    @Override
                    public void completed(ClientExchange answered) {
                        Relay.start(answered.getResponseChannel(), sink.connection.getSinkChannel(), pool, recording());
                        endsWhenStartReturned.complete(List.copyOf(ends));
                    }
                });
                shutDown(sent.getRequestChannel());
            }
        }));
        return endsWhenStartReturned;
    }

    private ClientConnection connect(Undertow node) throws Exception {
        int port = ((InetSocketAddress) node.getListenerInfo().get(0).getAddress()).getPort();
        CompletableFuture<ClientConnection> connected = new CompletableFuture<>();
        UndertowClient.getInstance().connect(new Callback<ClientConnection>(connected) {
            @Override
            public void completed(ClientConnection connection) {
                connected.complete(connection);
            }
        }, URI.create("http://127.0.0.1:" + port), worker.getIoThread(0), new DefaultByteBufferPool(false, BUFFER_SIZE),
                OptionMap.EMPTY);
        ClientConnection connection = connected.get(5, TimeUnit.SECONDS);
        toClose.add(connection);
        return connection;
    }

    private static ClientRequest get() {
        ClientRequest request = new ClientRequest().setMethod(Methods.GET).setPath("/");
        request.getRequestHeaders().put(Headers.HOST, "127.0.0.1");
        return request;
    }

    /** A client callback whose failure fails {@code future}. */
    private abstract static class Callback<T> implements ClientCallback<T> {
        private final CompletableFuture<?> future;

        Callback(CompletableFuture<?> future) {
            this.future = future;
        }

        @Override
        public void failed(IOException e) {
            future.completeExceptionally(e);
        }
    }

    /** A real buffer pool that counts the buffers handed out and not given back yet. */
    private static final class CountingPool implements ByteBufferPool {
        final AtomicInteger out = new AtomicInteger();
        private final ByteBufferPool pool = new DefaultByteBufferPool(false, BUFFER_SIZE);

        @Override
        public PooledByteBuffer allocate() {
            PooledByteBuffer pooled = pool.allocate();
            out.incrementAndGet();
            AtomicBoolean open = new AtomicBoolean(true);
            return new PooledByteBuffer() {
                @Override
                public ByteBuffer getBuffer() {
                    return pooled.getBuffer();
                }

                @Override
                public void close() {
                    if (open.compareAndSet(true, false)) {
                        out.decrementAndGet();
                        pooled.close();
                    }
                }

                @Override
                public boolean isOpen() {
                    return open.get();
                }
            };
        }

        @Override
        public ByteBufferPool getArrayBackedPool() {
            return this;
        }

        @Override
        public void close() {
            pool.close();
        }

        @Override
        public int getBufferSize() {
            return pool.getBufferSize();
        }

        @Override
        public boolean isDirect() {
            return pool.isDirect();
        }
    }
}
