package io.understudy.failoverswitch.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.understudy.failoverswitch.routing.RouteDecision.Route;
import io.undertow.Undertow;
import io.undertow.client.ClientCallback;
import io.undertow.client.ClientConnection;
import io.undertow.client.UndertowClient;
import io.undertow.connector.ByteBufferPool;
import io.undertow.server.DefaultByteBufferPool;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;

/**
 * One backend's pool and waiters with real client connections: a real XNIO worker with two IO
 * threads, and a tiny Undertow server on loopback standing in for the node.
 */
class BackendTest {

    private static XnioWorker worker;
    private static ByteBufferPool buffers;
    private static Undertow node;
    private static String nodeUrl;

    private final List<ClientConnection> opened = new ArrayList<>();

    @BeforeAll
    static void startNode() throws IOException {
        worker = Xnio.getInstance().createWorker(OptionMap.builder()
                .set(Options.WORKER_IO_THREADS, 2)
                .set(Options.WORKER_TASK_CORE_THREADS, 1)
                .set(Options.WORKER_TASK_MAX_THREADS, 1)
                .getMap());
        buffers = new DefaultByteBufferPool(false, 16 * 1024);
        node = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .setIoThreads(1)
                .setWorkerThreads(1)
                .setHandler(exchange -> exchange.getResponseSender().send("ok"))
                .build();
        node.start();
        int port = ((InetSocketAddress) node.getListenerInfo().get(0).getAddress()).getPort();
        nodeUrl = "http://127.0.0.1:" + port;
    }

    @AfterAll
    static void stopNode() {
        node.stop();
        worker.shutdownNow();
    }

    @AfterEach
    void closeConnections() {
        opened.forEach(IoUtils::safeClose);
    }

    @Test
    void shouldHandBackAnIdleConnectionOnlyOnTheIoThreadItLivesOn() throws Exception {
        Backend backend = backend(nodeUrl, 4);
        XnioIoThread first = worker.getIoThread(0);
        XnioIoThread second = worker.getIoThread(1);
        ClientConnection connection = open(backend, first);
        assertThat(on(first, () -> backend.poll(first))).as("nothing idle yet").isNull();

        on(first, () -> backend.release(connection));

        assertThat(on(second, () -> backend.poll(second))).as("the other IO thread's pool").isNull();
        assertThat(on(first, () -> backend.poll(first))).isSameAs(connection);
        assertThat(on(first, () -> backend.poll(first))).as("taken: never handed out twice").isNull();
        assertThat(connection.isOpen()).isTrue();
    }

    @Test
    void shouldCloseAConnectionReturnedToAThreadWhosePoolIsFull() throws Exception {
        Backend backend = backend(nodeUrl, 2);
        XnioIoThread first = worker.getIoThread(0);
        XnioIoThread second = worker.getIoThread(1);
        List<ClientConnection> onFirst = List.of(open(backend, first), open(backend, first), open(backend, first));
        List<ClientConnection> onSecond = List.of(open(backend, second), open(backend, second));
        assertThat(backend.openConnections()).isEqualTo(5);

        onFirst.forEach(connection -> on(first, () -> backend.release(connection)));
        onSecond.forEach(connection -> on(second, () -> backend.release(connection)));

        // the cap holds per IO thread: the third on the first thread is closed, both on the second kept
        await().atMost(5, TimeUnit.SECONDS).until(() -> !onFirst.get(2).isOpen());
        await().atMost(5, TimeUnit.SECONDS).until(() -> backend.openConnections() == 4);
        assertThat(onSecond).allMatch(ClientConnection::isOpen);
        assertThat(drain(backend, first)).containsExactlyInAnyOrderElementsOf(onFirst.subList(0, 2));
        assertThat(drain(backend, second)).containsExactlyInAnyOrderElementsOf(onSecond);
    }

    @Test
    void shouldSkipAConnectionThatClosedWhileIdle() throws Exception {
        Backend backend = backend(nodeUrl, 4);
        XnioIoThread thread = worker.getIoThread(0);
        ClientConnection kept = open(backend, thread);
        ClientConnection closed = open(backend, thread);
        on(thread, () -> backend.release(kept));
        on(thread, () -> backend.release(closed));

        on(thread, () -> IoUtils.safeClose(closed));

        assertThat(drain(backend, thread)).containsExactly(kept);
        await().atMost(5, TimeUnit.SECONDS).until(() -> backend.openConnections() == 1);
    }

    @Test
    void shouldCloseAConnectionReturnedClosed() throws Exception {
        Backend backend = backend(nodeUrl, 4);
        XnioIoThread thread = worker.getIoThread(0);
        ClientConnection connection = open(backend, thread);
        on(thread, () -> IoUtils.safeClose(connection));

        on(thread, () -> backend.release(connection));

        assertThat(on(thread, () -> backend.poll(thread))).isNull();
        await().atMost(5, TimeUnit.SECONDS).until(() -> backend.openConnections() == 0);
    }

    @Test
    void shouldCloseIdleConnectionsWhenRetiredAndBusyOnesWhenTheyComeBack() throws Exception {
        Backend backend = backend(nodeUrl, 4);
        XnioIoThread first = worker.getIoThread(0);
        XnioIoThread second = worker.getIoThread(1);
        ClientConnection idleOnFirst = open(backend, first);
        ClientConnection idleOnSecond = open(backend, second);
        ClientConnection busy = open(backend, first);
        on(first, () -> backend.release(idleOnFirst));
        on(second, () -> backend.release(idleOnSecond));

        backend.retire();

        assertThat(backend.retired()).isTrue();
        await().atMost(5, TimeUnit.SECONDS).until(() -> !idleOnFirst.isOpen() && !idleOnSecond.isOpen());
        assertThat(busy.isOpen()).as("a busy connection finishes its exchange").isTrue();
        on(first, () -> backend.release(busy));
        await().atMost(5, TimeUnit.SECONDS).until(() -> !busy.isOpen());
        assertThat(on(first, () -> backend.poll(first))).isNull();
        await().atMost(5, TimeUnit.SECONDS).until(() -> backend.openConnections() == 0);
    }

    @Test
    void shouldCloseAConnectionOpenedAfterItWasRetired() throws Exception {
        Backend backend = backend(nodeUrl, 4);
        backend.retire();

        ClientConnection late = open(backend, worker.getIoThread(0));

        await().atMost(5, TimeUnit.SECONDS).until(() -> !late.isOpen());
        await().atMost(5, TimeUnit.SECONDS).until(() -> backend.openConnections() == 0);
    }

    @Test
    void shouldTellEveryAttemptStillWaitingOnceWhenSuperseded() {
        Backend backend = backend(nodeUrl, 4);
        CountingWaiter first = new CountingWaiter();
        CountingWaiter second = new CountingWaiter();
        CountingWaiter answered = new CountingWaiter();
        backend.await(first);
        backend.await(second);
        backend.await(answered);
        backend.answered(answered);
        assertThat(backend.waiting()).isEqualTo(2);

        backend.retire();
        assertThat(first.told.get()).as("retired alone: requests sent there still wait for its answer").isZero();
        backend.supersede();

        assertThat(first.told.get()).isEqualTo(1);
        assertThat(second.told.get()).isEqualTo(1);
        assertThat(answered.told.get()).isZero();
        assertThat(backend.waiting()).isZero();
    }

    @Test
    void shouldTellAnAttemptAtOnceWhenItStartsWaitingForASupersededBackend() {
        Backend backend = backend(nodeUrl, 4);
        backend.retire();
        backend.supersede();
        CountingWaiter late = new CountingWaiter();

        backend.await(late);

        assertThat(late.told.get()).isEqualTo(1);
        assertThat(backend.waiting()).isZero();
    }

    @Test
    void shouldLeaveNoAttemptWaitingWhenSupersededWhileAttemptsArrive() throws Exception {
        Backend backend = backend(nodeUrl, 4);
        List<CountingWaiter> waiters = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            waiters.add(new CountingWaiter());
        }
        CompletableFuture<Void> arriving = CompletableFuture.runAsync(() -> waiters.forEach(backend::await));
        await().atMost(5, TimeUnit.SECONDS).until(() -> backend.waiting() > 0 || arriving.isDone());

        backend.retire();
        backend.supersede();
        arriving.get(5, TimeUnit.SECONDS);

        assertThat(waiters).allMatch(waiter -> waiter.told.get() >= 1);
        assertThat(backend.waiting()).isZero();
    }

    @ParameterizedTest(name = "{0} -> prefix ''{1}''")
    @CsvSource({
            "http://127.0.0.1:8080,        ''",
            "http://127.0.0.1:8080/,       ''",
            "http://127.0.0.1:8080/api,    /api",
            "http://127.0.0.1:8080/api/v1, /api/v1",
    })
    void shouldPrefixForwardedPathsWithThePathOfTheApiUrl(String url, String prefix) {
        assertThat(backend(url, 1).pathPrefix()).isEqualTo(prefix);
    }

    @Test
    void shouldStampTheEpochOfItsRoute() {
        Backend backend = new Backend(new Route("b", URI.create(nodeUrl), 42, "test"), 1);

        assertThat(backend.epochHeader()).isEqualTo("42");
        assertThat(backend.epoch()).isEqualTo(42);
        assertThat(backend.label()).isEqualTo("b@42");
    }

    private static Backend backend(String url, int maxIdlePerThread) {
        return new Backend(new Route("a", URI.create(url), 7, "test"), maxIdlePerThread);
    }

    /** Opens a real connection to the node on {@code thread} and registers it the way a request does. */
    private ClientConnection open(Backend backend, XnioIoThread thread) throws Exception {
        CompletableFuture<ClientConnection> connected = new CompletableFuture<>();
        UndertowClient.getInstance().connect(new ClientCallback<>() {
            @Override
            public void completed(ClientConnection connection) {
                backend.opened(connection);
                connected.complete(connection);
            }

            @Override
            public void failed(IOException e) {
                connected.completeExceptionally(e);
            }
        }, URI.create(nodeUrl), thread, buffers, OptionMap.EMPTY);
        ClientConnection connection = connected.get(5, TimeUnit.SECONDS);
        opened.add(connection);
        return connection;
    }

    /** Every connection {@code thread}'s pool hands out, until it has none. */
    private static List<ClientConnection> drain(Backend backend, XnioIoThread thread) {
        return on(thread, () -> {
            List<ClientConnection> taken = new ArrayList<>();
            for (ClientConnection c = backend.poll(thread); c != null; c = backend.poll(thread)) {
                taken.add(c);
            }
            return taken;
        });
    }

    private static void on(XnioIoThread thread, Runnable task) {
        on(thread, () -> {
            task.run();
            return null;
        });
    }

    /** Runs {@code task} on {@code thread} and waits for its result. */
    private static <T> T on(XnioIoThread thread, Callable<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        thread.execute(() -> {
            try {
                result.complete(task.call());
            } catch (Exception | AssertionError e) {
                result.completeExceptionally(e);
            }
        });
        return result.orTimeout(5, TimeUnit.SECONDS).join();
    }

    private static final class CountingWaiter implements Backend.Waiter {
        final AtomicInteger told = new AtomicInteger();

        @Override
        public void superseded() {
            told.incrementAndGet();
        }
    }
}
