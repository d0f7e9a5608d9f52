package io.understudy.replicator.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.connector.postgresql.PostgresValueConverter;
import io.debezium.spi.converter.CustomConverter;
import io.debezium.spi.converter.RelationalColumn;
import io.debezium.time.ZonedTimestamp;
import java.lang.reflect.Method;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.OptionalInt;
import java.util.Random;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.junit.jupiter.api.Test;
import org.postgresql.PGStatement;

class ZonedTimestampConverterTest {

    private static final long SEED = 20261204L;

    @Test
    void shouldWriteEveryStreamedValueAsTheConnectorDoesAtEveryPrecision() {
        System.out.println("ZonedTimestampConverterTest seed " + SEED);
        Random random = new Random(SEED);
        long first = LocalDate.of(-4712, 1, 1).toEpochDay() * 86_400L;
        long last = LocalDate.of(294_276, 12, 31).toEpochDay() * 86_400L;
        for (int width = -1; width <= 9; width++) {
            CustomConverter.Converter converter = registered(column(width, true, null)).converter;
            for (int i = 0; i < 2_000; i++) {
                long second = i % 2 == 0 ? first + (long) (random.nextDouble() * (last - first))
                        : (long) (random.nextDouble() * 400 * 366 * 86_400L) + LocalDate.of(1800, 1, 1).toEpochDay() * 86_400L;
                int nanos = switch (i % 4) {
                    case 0 -> 0;
                    case 1 -> random.nextInt(1_000_000) * 1_000;
                    case 2 -> random.nextInt(1_000) * 1_000_000;
                    default -> random.nextInt(1_000_000_000);
                };
                OffsetDateTime at = OffsetDateTime.ofInstant(java.time.Instant.ofEpochSecond(second, nanos), ZoneOffset.UTC);
                assertThat(converter.convert(at)).as("%s at width %d (seed %d)", at, width, SEED)
                        .isEqualTo(ZonedTimestamp.toIsoString(at.toZonedDateTime(), ZoneOffset.UTC, null, width));
            }
        }
    }

    @Test
    void shouldTakeTheConnectorsWayForInfinitiesSnapshotsTextsAndNulls() {
        CustomConverter.Converter optional = registered(column(6, true, null)).converter;
        assertThat(optional.convert(PostgresValueConverter.POSITIVE_INFINITY_OFFSET_DATE_TIME)).isEqualTo("infinity");
        assertThat(optional.convert(PostgresValueConverter.NEGATIVE_INFINITY_OFFSET_DATE_TIME)).isEqualTo("-infinity");
        assertThat(optional.convert(new Timestamp(PGStatement.DATE_POSITIVE_INFINITY))).isEqualTo("infinity");
        assertThat(optional.convert("-infinity")).isEqualTo("-infinity");
        Timestamp snapshot = Timestamp.valueOf("2026-12-04 05:18:15.5");
        assertThat(optional.convert(snapshot)).isEqualTo(ZonedTimestamp.toIsoString(
                OffsetDateTime.ofInstant(snapshot.toInstant(), ZoneOffset.UTC).toZonedDateTime(), ZoneOffset.UTC, null, 6));
        assertThat(optional.convert("2026-12-04 06:18:15.25+01")).isEqualTo("2026-12-04T05:18:15.250000Z");
        assertThat(optional.convert(null)).isNull();

        String debeziumFallback = ZonedTimestamp.toIsoString(
                OffsetDateTime.of(LocalDate.ofEpochDay(0), LocalTime.MIDNIGHT, ZoneOffset.UTC), ZoneOffset.UTC, null, null);
        assertThat(registered(column(6, false, null)).converter.convert(null))
                .isEqualTo(ZonedTimestampConverter.REQUIRED_NULL).isEqualTo(debeziumFallback);
        // A default arrives as the connector's finished text (for "DEFAULT now()", the epoch's) and stays as it is.
        CustomConverter.Converter withDefault = registered(column(6, false, "1970-01-01T00:00:00.000000Z")).converter;
        assertThat(withDefault.convert(null)).isEqualTo("1970-01-01T00:00:00.000000Z");
        assertThat(withDefault.convert("2020-01-01T00:00:00.000000Z")).isEqualTo("2020-01-01T00:00:00.000000Z");
    }

    @Test
    void shouldOnlyTakeTimestamptzColumnsWithTheConnectorsSchema() {
        Registration timestamptz = registered(column(6, true, null));
        assertThat(timestamptz.schema.name()).isEqualTo(ZonedTimestamp.SCHEMA_NAME);
        assertThat(timestamptz.schema.type()).isEqualTo(ZonedTimestamp.builder().type());
        RelationalColumn plainTimestamp = new Column("timestamp", 6, true, null);
        Registration none = new Registration();
        new ZonedTimestampConverter().converterFor(plainTimestamp, none);
        assertThat(none.converter).isNull();
    }

    /** When this fails, Debezium keeps its formatters itself: the converter may be dropped (see its Javadoc). */
    @Test
    void debeziumStillBuildsAFormatterPerValue() throws Exception {
        Method perValue = ZonedTimestamp.class.getDeclaredMethod("getDateTimeFormatter", Integer.class);
        perValue.setAccessible(true);
        assertThat(perValue.invoke(null, 6)).isNotSameAs(perValue.invoke(null, 6));
    }

    private static Registration registered(RelationalColumn column) {
        Registration registration = new Registration();
        new ZonedTimestampConverter().converterFor(column, registration);
        assertThat(registration.converter).as("a converter for %s", column.typeName()).isNotNull();
        return registration;
    }

    private static RelationalColumn column(int width, boolean optional, Object defaultValue) {
        return new Column("timestamptz", width, optional, defaultValue);
    }

    private static final class Registration implements CustomConverter.ConverterRegistration<SchemaBuilder> {
        SchemaBuilder schema;
        CustomConverter.Converter converter;

        @Override
        public void register(SchemaBuilder fieldSchema, CustomConverter.Converter converter) {
            this.schema = fieldSchema;
            this.converter = converter;
        }
    }

    /** A column as the connector describes a streamed one: its precision as the length, no scale. */
    private record Column(String typeName, int width, boolean isOptional, Object defaultValue) implements RelationalColumn {
        @Override
        public String name() {
            return "at";
        }

        @Override
        public String dataCollection() {
            return "public.events";
        }

        @Override
        public String typeExpression() {
            return typeName;
        }

        @Override
        public OptionalInt scale() {
            return OptionalInt.empty();
        }

        @Override
        public OptionalInt length() {
            return width < 0 ? OptionalInt.empty() : OptionalInt.of(width);
        }

        @Override
        public int nativeType() {
            return 1184;
        }

        @Override
        public int jdbcType() {
            return java.sql.Types.TIMESTAMP_WITH_TIMEZONE;
        }

        @Override
        public boolean hasDefaultValue() {
            return defaultValue != null;
        }

        @Override
        public String charsetName() {
            return null;
        }
    }
}
