package io.understudy.failoverswitch.proxy;

import io.understudy.failoverswitch.http.JsonResponses;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ServerConnection;
import io.undertow.util.AttachmentKey;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.xnio.XnioExecutor;

/**
 * A client exchange as a {@link HoldQueue.Waiter}: timers and tasks on its IO thread, 503 through
 * {@link JsonResponses}, and one close listener per client connection, whatever request it holds at
 * the time it closes (a kept-alive connection carries many).
 */
final class ExchangeWaiter extends HoldQueue.Waiter {

    private static final AttachmentKey<ExchangeWaiter> WAITING = AttachmentKey.create(ExchangeWaiter.class);
    private static final AttachmentKey<Boolean> WATCHED = AttachmentKey.create(Boolean.class);

    private final HttpServerExchange exchange;
    private final Consumer<Backend> resume;

    /** @param resume continues the request towards a backend; runs on the exchange's IO thread */
    ExchangeWaiter(HttpServerExchange exchange, Consumer<Backend> resume) {
        this.exchange = exchange;
        this.resume = resume;
    }

    @Override
    protected void execute(Runnable task) {
        exchange.getIoThread().execute(task);
    }

    @Override
    protected HoldQueue.Timer schedule(Runnable task, long delayMs) {
        XnioExecutor.Key key = exchange.getIoThread().executeAfter(task, delayMs, TimeUnit.MILLISECONDS);
        return key::remove;
    }

    @Override
    protected boolean clientConnected() {
        return exchange.getConnection().isOpen();
    }

    @Override
    protected void resume(Backend backend) {
        stopWatching();
        resume.accept(backend);
    }

    @Override
    protected void refuse(String message) {
        stopWatching();
        JsonResponses.noPrimary(exchange, message);
    }

    @Override
    protected void watchClient(HoldQueue queue) {
        ServerConnection connection = exchange.getConnection();
        connection.putAttachment(WAITING, this);
        if (connection.putAttachment(WATCHED, Boolean.TRUE) == null) {
            connection.addCloseListener(closing -> {
                ExchangeWaiter waiting = closing.removeAttachment(WAITING);
                if (waiting != null) {
                    queue.clientGone(waiting);
                }
            });
        }
    }

    /** No longer waiting: the connection must not keep this exchange reachable. IO thread (attachments are not thread-safe). */
    private void stopWatching() {
        ServerConnection connection = exchange.getConnection();
        if (connection.getAttachment(WAITING) == this) {
            connection.removeAttachment(WAITING);
        }
    }
}
