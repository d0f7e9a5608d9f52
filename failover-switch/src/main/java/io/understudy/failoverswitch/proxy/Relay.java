package io.understudy.failoverswitch.proxy;

import io.undertow.connector.ByteBufferPool;
import io.undertow.connector.PooledByteBuffer;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.xnio.ChannelListener;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.channels.StreamSourceChannel;

/**
 * Copies a body from one channel to another on the IO thread, and calls {@link Ends#ended} in the
 * same call that read the source's end. Undertow's {@code Transfer} reports the end through
 * {@code wakeupReads}/{@code wakeupWrites} instead: two queued tasks per request, each run by a
 * later pass of the event loop. A small response body (already read with the head) is relayed
 * here without a system call of its own.
 *
 * <p>Holds a pooled buffer only while bytes wait for the sink; waits for the source without one.
 * Exactly one of the three {@link Ends} methods is called, once.
 */
final class Relay implements ChannelListener<java.nio.channels.Channel> {

    /** How a relay ended; IO thread. */
    interface Ends {
        /** The source's last byte is in the sink; the sink is neither shut down nor flushed. */
        void ended(StreamSourceChannel source, StreamSinkChannel sink);

        void readFailed(IOException e);

        void writeFailed(IOException e);
    }

    private final StreamSourceChannel source;
    private final StreamSinkChannel sink;
    private final ByteBufferPool pool;
    private final Ends ends;
    private PooledByteBuffer pooled;
    /** A read that ends Undertow's detachable channels calls the read listener from inside it. */
    private boolean pumping;
    private boolean over;

    private Relay(StreamSourceChannel source, StreamSinkChannel sink, ByteBufferPool pool, Ends ends) {
        this.source = source;
        this.sink = sink;
        this.pool = pool;
        this.ends = ends;
    }

    /** Relays until the source ends or fails; returns at once when either side must wait. */
    static void start(StreamSourceChannel source, StreamSinkChannel sink, ByteBufferPool pool, Ends ends) {
        new Relay(source, sink, pool, ends).pump();
    }

    @Override
    public void handleEvent(java.nio.channels.Channel channel) {
        pump();
    }

    private void pump() {
        if (pumping || over) {
            return; // the running pump reads again before it waits
        }
        pumping = true;
        try {
            copy();
        } finally {
            pumping = false;
        }
    }

    private void copy() {
        if (pooled == null) {
            pooled = pool.allocate();
            pooled.getBuffer().clear().flip();
        }
        ByteBuffer buffer = pooled.getBuffer();
        while (true) {
            while (buffer.hasRemaining()) {
                int written;
                try {
                    written = sink.write(buffer);
                } catch (IOException e) {
                    stop();
                    ends.writeFailed(e);
                    return;
                }
                if (written == 0) {
                    waitFor(false);
                    return;
                }
            }
            buffer.clear();
            int read;
            try {
                read = source.read(buffer);
            } catch (IOException e) {
                stop();
                ends.readFailed(e);
                return;
            }
            buffer.flip();
            if (read == -1) {
                stop();
                ends.ended(source, sink);
                return;
            }
            if (read == 0) {
                waitFor(true);
                return;
            }
        }
    }

    /** Waits for the source (with an empty buffer, given back) or for the sink (with bytes kept). */
    private void waitFor(boolean readable) {
        if (readable) {
            pooled.close();
            pooled = null;
            sink.suspendWrites();
            source.getReadSetter().set(this);
            source.resumeReads();
        } else {
            source.suspendReads();
            sink.getWriteSetter().set(this);
            sink.resumeWrites();
        }
    }

    private void stop() {
        over = true;
        if (pooled != null) {
            pooled.close();
            pooled = null;
        }
        source.getReadSetter().set(null);
        source.suspendReads();
        sink.getWriteSetter().set(null);
        sink.suspendWrites();
    }
}
