package io.understudy.replicator.capture;

import io.understudy.replicator.apply.ApplyException;
import io.understudy.replicator.apply.Unchanged;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalTime;
import java.util.Arrays;
import java.util.List;
import java.util.StringJoiner;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;

/**
 * Turns a Kafka Connect value (as the Debezium PostgreSQL connector emits it with the options chosen in
 * {@link EngineProperties}) into what the target binds: the value's PostgreSQL text form, {@code byte[]} for
 * bytea, {@link Unchanged#TOAST} for the unavailable-value placeholder, or null.
 */
public final class ValueConverter {

    private final String placeholder;
    private final byte[] placeholderBytes;

    public ValueConverter(String placeholder) {
        this.placeholder = placeholder;
        this.placeholderBytes = placeholder.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @param where names the column ({@code table.column}) in error messages; its {@code toString()} is read only
     *              when a value cannot be converted, so callers need not build the text per value
     */
    public Object convert(Object where, Schema schema, Object value) {
        if (value == null) {
            return null;
        }
        if (isPlaceholder(value)) {
            return Unchanged.TOAST;
        }
        String logical = schema.name();
        if (logical != null) {
            switch (logical) {
                case "io.debezium.time.Date":
                    return DateTimeText.date(((Number) value).longValue());
                case "io.debezium.time.Time":
                    return LocalTime.ofNanoOfDay(((Number) value).longValue() * 1_000_000L).toString();
                case "io.debezium.time.MicroTime":
                    return LocalTime.ofNanoOfDay(((Number) value).longValue() * 1_000L).toString();
                case "io.debezium.time.NanoTime":
                    return LocalTime.ofNanoOfDay(((Number) value).longValue()).toString();
                case "io.debezium.time.Timestamp":
                    return DateTimeText.timestampMillis(((Number) value).longValue());
                case "io.debezium.time.MicroTimestamp":
                    return DateTimeText.timestampMicros(((Number) value).longValue());
                case "io.debezium.time.NanoTimestamp":
                    return DateTimeText.timestampNanos(((Number) value).longValue());
                case "io.debezium.time.ZonedTimestamp":
                    return DateTimeText.zoned((String) value);
                case "io.debezium.time.MicroDuration":
                    return value + " microseconds";
                case Decimal.LOGICAL_NAME:
                    return ((BigDecimal) value).toPlainString();
                default:
                    break; // ZonedTime, Interval (string mode), Json, Uuid, Xml, Enum: already text
            }
        }
        return switch (schema.type()) {
            case STRING -> (String) value;
            case BOOLEAN, INT8, INT16, INT32, INT64, FLOAT32, FLOAT64 -> value.toString();
            case BYTES -> value instanceof ByteBuffer buffer ? bytes(buffer) : (byte[]) value;
            case ARRAY -> arrayLiteral(where, schema.valueSchema(), (List<?>) value);
            default -> throw new ApplyException("column " + where + " has a value of unsupported Connect type "
                    + schema.type() + (logical == null ? "" : " (" + logical + ")"));
        };
    }

    private boolean isPlaceholder(Object value) {
        if (value instanceof String s) {
            return s.equals(placeholder);
        }
        if (value instanceof byte[] b) {
            return Arrays.equals(b, placeholderBytes);
        }
        if (value instanceof ByteBuffer buffer) {
            return Arrays.equals(bytes(buffer), placeholderBytes);
        }
        if (value instanceof List<?> list) {
            return list.size() == 1 && list.get(0) != null && isPlaceholder(list.get(0));
        }
        return false;
    }

    private String arrayLiteral(Object where, Schema elementSchema, List<?> values) {
        StringJoiner literal = new StringJoiner(",", "{", "}");
        for (Object element : values) {
            Object text = convert(where, elementSchema, element);
            if (text == null) {
                literal.add("NULL");
            } else if (text instanceof String s) {
                literal.add('"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"');
            } else {
                throw new ApplyException("column " + where + " is an array of an unsupported element type " + elementSchema.type());
            }
        }
        return literal.toString();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return out;
    }
}
