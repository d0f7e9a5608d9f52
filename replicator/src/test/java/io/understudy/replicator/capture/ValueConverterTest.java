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

    @Test
    void shouldRenderDebeziumTemporalTypesAsPostgresText() {
        assertThat(converter.convert("t.c", named(Schema.Type.INT32, "io.debezium.time.Date"), 19782)).isEqualTo("2024-02-29");
        assertThat(converter.convert("t.c", named(Schema.Type.INT64, "io.debezium.time.MicroTime"), 47_655_123_456L)).isEqualTo("13:14:15.123456");
        assertThat(converter.convert("t.c", named(Schema.Type.INT64, "io.debezium.time.MicroTimestamp"), -1L)).isEqualTo("1969-12-31T23:59:59.999999");
        assertThat(converter.convert("t.c", named(Schema.Type.STRING, "io.debezium.time.ZonedTimestamp"), "2024-02-29T18:29:59.123456Z"))
                .isEqualTo("2024-02-29T18:29:59.123456Z");
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
