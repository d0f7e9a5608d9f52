package io.understudy.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The one JSON codec for znode content and HTTP bodies. Thread-safe. */
public final class ClusterJson {

    public static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private ClusterJson() {
    }

    public static byte[] toBytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String toString(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes each sample and reads it back as its own type, so that the mapper has built the type's serializer and
     * deserializer before the first real one passes. Building them is a one-off cost per type and JVM (about 35 ms
     * each way for a command on an idle machine, two to three times that on a loaded one), and the first operator
     * command otherwise pays it inside a switchover: once where the switch writes it, once where each node reads it.
     */
    static void prepare(Object... samples) {
        for (Object sample : samples) {
            fromBytes(toBytes(sample), sample.getClass());
        }
    }

    /** {@link #prepare} for what a hand-over writes and reads: an operator command and a history entry. */
    public static void prepareHandOverRecords() {
        prepare(new CommandRecord("warm-up", CommandRecord.Type.SWITCHOVER, "warm-up", 0, "warm-up", 0, "warm-up"),
                new HistoryRecord(HistoryRecord.Type.SWITCHOVER, "warm-up", "warm-up", 1, 0, "warm-up"));
    }

    /** @throws IllegalArgumentException when the bytes are not a valid {@code type} */
    public static <T> T fromBytes(byte[] bytes, Class<T> type) {
        try {
            return MAPPER.readValue(bytes, type);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot decode " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }
}
