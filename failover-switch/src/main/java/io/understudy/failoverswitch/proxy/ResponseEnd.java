package io.understudy.failoverswitch.proxy;

import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.channels.StreamSinkChannel;

/** Ends a relayed response once the node's body has been copied to the client. */
final class ResponseEnd {

    private ResponseEnd() {
    }

    static void finish(StreamSinkChannel sink, HttpServerExchange exchange) {
        try {
            sink.shutdownWrites();
            if (sink.flush()) {
                sink.getWriteSetter().set(null);
                return;
            }
            sink.getWriteSetter().set(ChannelListeners.flushingChannelListener(channel -> {
                channel.suspendWrites();
                channel.getWriteSetter().set(null);
            }, (channel, e) -> IoUtils.safeClose(exchange.getConnection())));
            sink.resumeWrites();
        } catch (IOException e) {
            IoUtils.safeClose(exchange.getConnection());
        }
    }
}
