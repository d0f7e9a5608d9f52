package io.understudy.replicator.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.understudy.replicator.apply.ApplyException;
import io.understudy.replicator.apply.Unchanged;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.junit.jupiter.api.Test;

class ValueConverterTest {

    private final ValueConverter converter = new ValueConverter("__gone");

    private static Schema named(Schema.Type type, String name) {
        return new SchemaBuilder(type).name(name).build();
    }

    private final Schema micros = named(Schema.Type.INT64, "io.debezium.time.MicroTimestamp");
    private final Schema millis = named(Schema.Type.INT64, "io.debezium.time.Timestamp");
    private final Schema date = named(Schema.Type.INT32, "io.debezium.time.Date");
    private final Schema zoned = named(Schema.Type.STRING, "io.debezium.time.ZonedTimestamp");

    @Test
    void shouldRenderDebeziumTemporalTypesAsPostgresText() {
        assertThat(converter.convert("t.c", named(Schema.Type.INT32, "io.debezium.time.Date"), 19782)).isEqualTo("2024-02-29");
        assertThat(converter.convert("t.c", named(Schema.Type.INT64, "io.debezium.time.MicroTime"), 47_655_123_456L)).isEqualTo("13:14:15.123456");
        assertThat(converter.convert("t.c", named(Schema.Type.INT64, "io.debezium.time.MicroTimestamp"), -1L)).isEqualTo("1969-12-31 23:59:59.999999");
        assertThat(converter.convert("t.c", named(Schema.Type.STRING, "io.debezium.time.ZonedTimestamp"), "2024-02-29T18:29:59.123456Z"))
                .isEqualTo("2024-02-29T18:29:59.123456Z");
    }

    /** Far from 1970 a timestamp's nanoseconds leave a long's range: 9999-12-31 was once written as a date in 1816. */
    @Test
    void shouldRenderDatesAndTimesFarFrom1970InPostgresOwnForm() {
        assertThat(converter.convert("t.c", micros, 253_402_300_799_999_999L)).isEqualTo("9999-12-31 23:59:59.999999");
        assertThat(converter.convert("t.c", millis, 253_402_300_799_999L)).isEqualTo("9999-12-31 23:59:59.999");
        assertThat(converter.convert("t.c", micros, -63_517_780_799_500_000L)).isEqualTo("0044-03-15 12:00:00.500 BC");
        assertThat(converter.convert("t.c", micros, 327_416_976_550_000_001L)).isEqualTo("12345-06-07 08:09:10.000001");
        assertThat(converter.convert("t.c", date, -735_964)).isEqualTo("0046-01-01 BC");
        assertThat(converter.convert("t.c", date, 3_789_789)).isEqualTo("12346-02-03");
        assertThat(converter.convert("t.c", zoned, "-0043-03-15T12:00:00.500000Z")).isEqualTo("0044-03-15 12:00:00.500+00 BC");
        assertThat(converter.convert("t.c", zoned, "+12345-06-07T08:09:10.000001Z")).isEqualTo("12345-06-07 08:09:10.000001+00");
    }

    @Test
    void shouldRenderTheConnectorsInfinitiesAsInfinities() {
        assertThat(converter.convert("t.c", micros, 9_223_372_036_825_200_000L)).isEqualTo("infinity");
        assertThat(converter.convert("t.c", micros, -9_223_372_036_832_400_000L)).isEqualTo("-infinity");
        assertThat(converter.convert("t.c", millis, 9_223_372_036_825_200L)).isEqualTo("infinity");
        assertThat(converter.convert("t.c", millis, -9_223_372_036_832_400L)).isEqualTo("-infinity");
        // streamed: the days of the connector's own sentinel dates
        assertThat(converter.convert("t.c", date, (int) java.time.LocalDate.parse("-5877611-06-21").toEpochDay())).isEqualTo("infinity");
        assertThat(converter.convert("t.c", date, (int) java.time.LocalDate.parse("-5877611-06-22").toEpochDay())).isEqualTo("-infinity");
        // copied: the JDBC driver's sentinel dates, as the connector turns them into days
        assertThat(converter.convert("t.c", date, io.debezium.time.Date.toEpochDay(
                new java.sql.Date(org.postgresql.PGStatement.DATE_POSITIVE_INFINITY), null))).isEqualTo("infinity");
        assertThat(converter.convert("t.c", date, io.debezium.time.Date.toEpochDay(
                new java.sql.Date(org.postgresql.PGStatement.DATE_NEGATIVE_INFINITY), null))).isEqualTo("-infinity");
        assertThat(converter.convert("t.c", zoned, "infinity")).isEqualTo("infinity");
        assertThat(converter.convert("t.c", zoned, "-infinity")).isEqualTo("-infinity");
    }

    @Test
    void shouldRenderScalarsAndDecimals() {
        assertThat(converter.convert("t.c", Schema.INT64_SCHEMA, 9_223_372_036_854_775_807L)).isEqualTo("9223372036854775807");
        assertThat(converter.convert("t.c", Schema.BOOLEAN_SCHEMA, false)).isEqualTo("false");
        assertThat(converter.convert("t.c", Schema.FLOAT64_SCHEMA, Double.NaN)).isEqualTo("NaN");
        assertThat(converter.convert("t.c", Decimal.schema(4), new BigDecimal("1E+3").setScale(4))).isEqualTo("1000.0000");
        assertThat(converter.convert("t.c", Schema.STRING_SCHEMA, null)).isNull();
    }

    @Test
    void shouldPassBytesThrough() {
        assertThat((byte[]) converter.convert("t.c", Schema.BYTES_SCHEMA, ByteBuffer.wrap(new byte[] {0, -1}))).containsExactly(0, -1);
        assertThat((byte[]) converter.convert("t.c", Schema.BYTES_SCHEMA, new byte[] {7})).containsExactly(7);
    }

    @Test
    void shouldQuoteArrayElementsAndKeepNulls() {
        Schema texts = SchemaBuilder.array(Schema.OPTIONAL_STRING_SCHEMA).build();

        assertThat(converter.convert("t.tags", texts, Arrays.asList("a b", "q\"u", null, "back\\slash", "{x}")))
                .isEqualTo("{\"a b\",\"q\\\"u\",NULL,\"back\\\\slash\",\"{x}\"}");
        assertThat(converter.convert("t.tags", texts, List.of())).isEqualTo("{}");
    }

    @Test
    void shouldRecogniseTheUnavailableValuePlaceholderInEveryShape() {
        byte[] placeholder = "__gone".getBytes(StandardCharsets.UTF_8);

        assertThat(converter.convert("t.c", Schema.STRING_SCHEMA, "__gone")).isEqualTo(Unchanged.TOAST);
        assertThat(converter.convert("t.c", Schema.BYTES_SCHEMA, ByteBuffer.wrap(placeholder))).isEqualTo(Unchanged.TOAST);
        assertThat(converter.convert("t.c", SchemaBuilder.array(Schema.STRING_SCHEMA).build(), List.of("__gone"))).isEqualTo(Unchanged.TOAST);
        assertThat(converter.convert("t.c", Schema.STRING_SCHEMA, "__gone!")).isEqualTo("__gone!");
    }

    @Test
    void shouldRejectAStructValueNamingTheColumn() {
        Schema struct = SchemaBuilder.struct().name("x.Point").field("x", Schema.FLOAT64_SCHEMA).build();

        assertThatThrownBy(() -> converter.convert("public.t.pos", struct, new org.apache.kafka.connect.data.Struct(struct).put("x", 1.0)))
                .isInstanceOf(ApplyException.class).hasMessageContaining("public.t.pos").hasMessageContaining("STRUCT");
    }
}
