package io.understudy.launcher;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.AppenderAttachable;
import ch.qos.logback.core.spi.AppenderAttachableImpl;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes lines to the console from a thread of its own, many lines per system call: for the
 * switch's access log, one line per request. The thread that logs only queues the event; the
 * writer takes whatever has queued, encodes it, writes it in one {@code write} and flushes, then
 * rests {@link #setMaxDelayMs maxDelayMs} so that the next lines gather (under load, one write and
 * one wake-up per rest instead of one of each per line, as Logback's {@code AsyncAppender} in
 * front of a {@code ConsoleAppender} costs). An idle writer waits for the next line, so a line
 * logged after a quiet spell appears at once, and none waits longer than about {@code maxDelayMs}.
 *
 * <p>The lines are those of the console appender it references ({@code <appender-ref>}, one):
 * that appender's encoder formats them (text or JSON, whichever the configuration chose), only
 * the writing is this appender's. Nothing is dropped: a full queue makes the logging thread wake
 * the writer and wait for room; {@link #stop} (Logback stops its appenders when the context
 * stops) writes everything queued before it returns.
 *
 * <p>With {@link #setFormatOnWriter formatOnWriter}, the logging thread does not format the message
 * either: it keeps only what belongs to it (its name, its MDC), and the writer formats the message
 * from its pattern and arguments. Only for loggers whose arguments never change once logged (the
 * access log's one argument is an immutable value).
 */
public final class BatchingConsoleAppender extends UnsynchronizedAppenderBase<ILoggingEvent>
        implements AppenderAttachable<ILoggingEvent> {

    private final AppenderAttachableImpl<ILoggingEvent> referenced = new AppenderAttachableImpl<>();
    private Encoder<ILoggingEvent> encoder;
    private int queueSize = 8192;
    private int maxDelayMs = 100;
    private boolean formatOnWriter;
    private OutputStream target;
    private BlockingQueue<ILoggingEvent> queue;
    private volatile boolean stopping;
    /** Set by a logging thread that found the queue full: the writer cuts its rest short. */
    private volatile boolean wakeRequested;
    private Thread writer;

    public void setQueueSize(int queueSize) {
        this.queueSize = queueSize;
    }

    /** The writer's rest after each write; the longest a line waits under load. */
    public void setMaxDelayMs(int maxDelayMs) {
        this.maxDelayMs = maxDelayMs;
    }

    /** The writer formats each message, not the logging thread: for arguments that never change once logged. */
    public void setFormatOnWriter(boolean formatOnWriter) {
        this.formatOnWriter = formatOnWriter;
    }

    /** Where lines go instead of {@code System.out} (set before {@link #start}). */
    void setTarget(OutputStream target) {
        this.target = target;
    }

    @Override
    public void start() {
        Iterator<Appender<ILoggingEvent>> refs = referenced.iteratorForAppenders();
        if (!refs.hasNext() || !(refs.next() instanceof OutputStreamAppender<ILoggingEvent> console) || refs.hasNext()) {
            addError("[" + name + "] must reference exactly one console appender, whose encoder formats its lines");
            return;
        }
        encoder = console.getEncoder();
        if (encoder == null) {
            addError("the appender [" + console.getName() + "] that [" + name + "] references has no encoder");
            return;
        }
        if (queueSize < 1 || maxDelayMs < 0) {
            addError("queueSize must be at least 1 and maxDelayMs at least 0 for [" + name + "]");
            return;
        }
        if (target == null) {
            target = System.out;
        }
        queue = new ArrayBlockingQueue<>(queueSize);
        stopping = false;
        writer = new Thread(this::writeUntilStopped, "log-writer-" + name);
        writer.setDaemon(true);
        writer.start();
        super.start();
    }

    /** On the logging thread: queue the event, or wait for room (never drop it). */
    @Override
    protected void append(ILoggingEvent event) {
        if (formatOnWriter) {
            // what the writer could not know later; the message is formatted when the writer encodes the line
            event.getThreadName();
            event.getMDCPropertyMap();
        } else {
            event.prepareForDeferredProcessing();
        }
        if (queue.offer(event)) {
            return;
        }
        // The queue is full: wake the writer, and again each time room is not made within a millisecond. One signal
        // could be spent before the writer reads it; a repeated one cannot all be.
        boolean interrupted = false;
        while (true) {
            wakeRequested = true;
            LockSupport.unpark(writer);
            try {
                if (queue.offer(event, 1, TimeUnit.MILLISECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void stop() {
        if (!isStarted()) {
            return;
        }
        super.stop();
        stopping = true;
        writer.interrupt();
        try {
            writer.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            addWarn("the writer of [" + name + "] did not finish within 10 s; " + queue.size() + " line(s) not written");
        }
    }

    private void writeUntilStopped() {
        List<ILoggingEvent> batch = new ArrayList<>();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 16);
        while (!stopping) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                continue; // stop() interrupts; the loop condition decides
            }
            queue.drainTo(batch);
            writeBatch(batch, bytes);
            rest();
        }
        queue.drainTo(batch);
        writeBatch(batch, bytes);
    }

    /**
     * Lets the next lines gather for {@code maxDelayMs}, less if a logger finds the queue full or the appender stops.
     * The flag, not the park's permit, says that a logger waits: the permit may be used up elsewhere (a queue's lock
     * parks this thread too), and a waiting logger sets the flag again every millisecond.
     */
    private void rest() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxDelayMs);
        long left;
        while (!stopping && !wakeRequested && (left = deadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(this, left);
        }
        wakeRequested = false;
    }

    private void writeBatch(List<ILoggingEvent> batch, ByteArrayOutputStream bytes) {
        for (ILoggingEvent event : batch) {
            try {
                bytes.writeBytes(encoder.encode(event));
            } catch (RuntimeException e) {
                addError("cannot encode a line for [" + name + "]", e);
            }
        }
        batch.clear();
        write(bytes);
    }

    /** Writes what {@code bytes} holds in one call and flushes. */
    private void write(ByteArrayOutputStream bytes) {
        if (bytes.size() == 0) {
            return;
        }
        try {
            bytes.writeTo(target);
            target.flush();
        } catch (IOException e) {
            addError("cannot write the lines of [" + name + "]", e);
        } finally {
            bytes.reset();
        }
    }

    @Override
    public void addAppender(Appender<ILoggingEvent> appender) {
        referenced.addAppender(appender);
    }

    @Override
    public Iterator<Appender<ILoggingEvent>> iteratorForAppenders() {
        return referenced.iteratorForAppenders();
    }

    @Override
    public Appender<ILoggingEvent> getAppender(String appenderName) {
        return referenced.getAppender(appenderName);
    }

    @Override
    public boolean isAttached(Appender<ILoggingEvent> appender) {
        return referenced.isAttached(appender);
    }

    /** Forgets the referenced appender; stopping it is the configuration's business (it writes other lines too). */
    @Override
    public void detachAndStopAllAppenders() {
        referenced.iteratorForAppenders().forEachRemaining(referenced::detachAppender);
    }

    @Override
    public boolean detachAppender(Appender<ILoggingEvent> appender) {
        return referenced.detachAppender(appender);
    }

    @Override
    public boolean detachAppender(String appenderName) {
        return referenced.detachAppender(appenderName);
    }
}
