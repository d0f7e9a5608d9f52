package io.understudy.failoverswitch.http;

import io.undertow.Undertow;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A graceful stop for the switch. Once {@link #begin() begun}, every request is still forwarded as
 * usual, but its response closes the connection, so a client with two switches moves to the other
 * one after its answer instead of finding its kept-alive connection gone in the middle of a request.
 * {@link #awaitIdle} then waits until nothing is in flight and no request has arrived for a short
 * quiet period: by then the clients that were sending have been answered and have left.
 *
 * <p>A stop without this answered the requests of a restart (a rolling upgrade restarts each switch)
 * with 503 or cut them off, and a client saw a failed write where waiting a few milliseconds would
 * have served it.
 */
public final class Drain implements HttpHandler {

    private final HttpHandler next;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ExchangeCompletionListener finished = (exchange, nextListener) -> {
        inFlight.decrementAndGet();
        nextListener.proceed();
    };
    private volatile boolean draining;
    private volatile long lastArrivalNanos;

    public Drain(HttpHandler next) {
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        inFlight.incrementAndGet();
        exchange.addExchangeCompleteListener(finished);
        if (draining) {
            // only arrivals during a drain matter (the quiet period starts at begin() at the earliest): no clock read per
            // request while serving
            lastArrivalNanos = System.nanoTime();
            exchange.setPersistent(false);
        }
        next.handleRequest(exchange);
    }

    /**
     * Closes the listening sockets of {@code server} (open connections stay), and from now on every
     * response closes its connection; the quiet period counts from here at the earliest, so a client
     * idle on a kept-alive connection has that long to send its next request.
     */
    public void begin(Undertow server) {
        server.getListenerInfo().forEach(Accepting::stop);
        lastArrivalNanos = System.nanoTime();
        draining = true;
    }

    public boolean draining() {
        return draining;
    }

    public int inFlight() {
        return inFlight.get();
    }

    /**
     * Waits until no request is in flight and none has arrived for {@code quietMs}, or until
     * {@code maxMs} have passed. Returns whether the switch went idle in time.
     */
    public boolean awaitIdle(long quietMs, long maxMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMs);
        long quiet = TimeUnit.MILLISECONDS.toNanos(quietMs);
        while (true) {
            long now = System.nanoTime();
            if (inFlight.get() == 0 && now - lastArrivalNanos >= quiet) {
                return true;
            }
            if (now - deadline >= 0) {
                return false;
            }
            // a stop is rare and short: polling keeps the request path free of any signalling
            Thread.sleep(10);
        }
    }
}
