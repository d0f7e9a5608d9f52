package io.understudy.replicator.capture;

import io.debezium.engine.RecordChangeEvent;
import io.debezium.pipeline.DataChangeEvent;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/** TEMPORARY: per-transaction stage times, written when -Dunderstudy.lagTrace=<file prefix> is set. */
public final class LagTrace {

    private static final String PREFIX = System.getProperty("understudy.lagTrace");
    public static final boolean ON = PREFIX != null;
    private static final Map<Object, long[]> STAMPS = new IdentityHashMap<>();
    private static BufferedWriter out;

    private LagTrace() {
    }

    public static long micros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }

    public static void enqueued(Object event) {
        if (ON && event instanceof DataChangeEvent e) {
            long now = micros();
            synchronized (STAMPS) {
                STAMPS.put(e.getRecord(), new long[] {now, 0});
            }
        }
    }

    public static void polled(List<?> events) {
        if (ON && !events.isEmpty()) {
            long now = micros();
            synchronized (STAMPS) {
                for (Object event : events) {
                    if (event instanceof DataChangeEvent e) {
                        long[] s = STAMPS.get(e.getRecord());
                        if (s != null) {
                            s[1] = now;
                        }
                    }
                }
            }
        }
    }

    /** One line per transaction unit of the group: times relative to the source commit, in microseconds. */
    static synchronized void group(List<? extends TransactionAssembler.Unit<?>> group, long handled, long applyStart, long applyEnd,
                                   long durable, int batchSize, boolean sync) {
        if (!ON) {
            return;
        }
        try {
            if (out == null) {
                out = Files.newBufferedWriter(Path.of(PREFIX + "-" + ProcessHandle.current().pid() + ".txt"));
                out.write("commitUs firstEnq lastEnq lastPoll handled applyStart applyEnd durable batch sync groupSize\n");
            }
            for (TransactionAssembler.Unit<?> unit : group) {
                if (unit.kind() != TransactionAssembler.Kind.TRANSACTION) {
                    continue;
                }
                long commitUs = unit.commitTsMs() * 1000;
                long firstEnq = 0;
                long lastEnq = 0;
                long lastPoll = 0;
                synchronized (STAMPS) {
                    for (Object ack : unit.acks()) {
                        SourceRecord r = ((RecordChangeEvent<SourceRecord>) ack).record();
                        if (r.value() instanceof Struct v && v.schema().field("source") != null) {
                            Struct src = v.getStruct("source");
                            if (src.schema().field("ts_us") != null && src.getInt64("ts_us") != null) {
                                commitUs = src.getInt64("ts_us");
                            }
                        }
                        long[] s = STAMPS.remove(r);
                        if (s != null) {
                            firstEnq = firstEnq == 0 ? s[0] : firstEnq;
                            lastEnq = s[0];
                            lastPoll = s[1];
                        }
                    }
                }
                out.write(commitUs + " " + d(firstEnq, commitUs) + " " + d(lastEnq, commitUs) + " " + d(lastPoll, commitUs) + " "
                        + d(handled, commitUs) + " " + d(applyStart, commitUs) + " " + d(applyEnd, commitUs) + " "
                        + d(durable, commitUs) + " " + batchSize + " " + sync + " " + group.size() + "\n");
            }
            if (STAMPS.size() > 100_000) {
                STAMPS.clear();
            }
            out.flush();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static synchronized void note(String what) {
        if (!ON) {
            return;
        }
        try {
            if (out == null) {
                out = Files.newBufferedWriter(Path.of(PREFIX + "-" + ProcessHandle.current().pid() + ".txt"));
            }
            out.write("# " + micros() + " " + what + "\n");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long d(long t, long base) {
        return t == 0 ? -1 : t - base;
    }
}
