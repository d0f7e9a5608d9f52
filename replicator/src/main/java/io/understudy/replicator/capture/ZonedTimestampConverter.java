package io.understudy.replicator.capture;

import io.debezium.connector.postgresql.PostgresValueConverter;
import io.debezium.connector.postgresql.connection.DateTimeFormat;
import io.debezium.spi.converter.CustomConverter;
import io.debezium.spi.converter.RelationalColumn;
import io.debezium.time.ZonedTimestamp;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.Locale;
import java.util.Properties;
import org.apache.kafka.connect.data.SchemaBuilder;

/**
 * The connector's text for {@code timestamptz} columns, the same text written by hand for the years 1 to 9999, and
 * with a formatter built once per fractional precision for the rest. Debezium 3.6.1 builds a new formatter for every
 * value of a column with a fractional precision, as every {@code timestamptz} column has one, and does it on its
 * single decoding thread: 8 % of that thread in the replication benchmark's profile. {@code ZonedTimestampConverterTest} compares the text with Debezium's and fails
 * once Debezium keeps its formatters itself.
 *
 * <p>Only a streamed change's value (a date-time already at UTC) takes the short way. Anything else (a snapshot's
 * JDBC timestamp, a column's default, an infinity, a null) goes the connector's own way, step by step.
 */
public final class ZonedTimestampConverter implements CustomConverter<SchemaBuilder, RelationalColumn> {

    /** What the connector gives a null in a column that may not hold one and has no default. */
    static final String REQUIRED_NULL = "1970-01-01T00:00:00Z";
    private static final String INFINITY = PostgresValueConverter.POSITIVE_INFINITY_TIMESTAMP_PG_STRING;
    private static final String MINUS_INFINITY = PostgresValueConverter.NEGATIVE_INFINITY_TIMESTAMP_PG_STRING;
    /** Formatters by fractional precision, 1 to 9 digits (Java's most); the connector formats 0 with its own. */
    private static final DateTimeFormatter[] FORMATTERS = new DateTimeFormatter[10];

    static {
        for (int digits = 1; digits < FORMATTERS.length; digits++) {
            FORMATTERS[digits] = new DateTimeFormatterBuilder()
                    .append(DateTimeFormatter.ISO_LOCAL_DATE)
                    .appendLiteral('T')
                    .appendValue(ChronoField.HOUR_OF_DAY, 2)
                    .appendLiteral(':')
                    .appendValue(ChronoField.MINUTE_OF_HOUR, 2)
                    .appendLiteral(':')
                    .appendValue(ChronoField.SECOND_OF_MINUTE, 2)
                    .appendFraction(ChronoField.NANO_OF_SECOND, digits, digits, true)
                    .appendOffsetId()
                    .toFormatter(Locale.ENGLISH);
        }
    }

    @Override
    public void configure(Properties props) {
    }

    @Override
    public void converterFor(RelationalColumn column, ConverterRegistration<SchemaBuilder> registration) {
        if (!"timestamptz".equals(column.typeName())) {
            return;
        }
        // The connector's width: the scale where a snapshot set one, else the length, else none.
        int width = column.scale().orElse(column.length().orElse(-1));
        DateTimeFormatter formatter = width > 0 && width < FORMATTERS.length ? FORMATTERS[width] : ZonedTimestamp.FORMATTER;
        Object whenNull = column.isOptional() ? null
                : column.hasDefaultValue() && column.defaultValue() != null ? text(column.defaultValue(), formatter, width)
                : REQUIRED_NULL;
        registration.register(ZonedTimestamp.builder(), value -> value == null ? whenNull : text(value, formatter, width));
    }

    static String text(Object value, DateTimeFormatter formatter, int width) {
        if (value instanceof OffsetDateTime at && !isInfinity(at)) {
            String written = writtenAtUtc(at, width);
            return written != null ? written : at.toZonedDateTime().format(formatter);
        }
        return asTheConnectorDoes(value, width);
    }

    /**
     * What {@code FORMATTERS[digits]} writes for a moment at UTC in the years 1 to 9999, written by hand
     * ({@code 2026-12-04T13:14:05.123456Z}: the fraction cut, not rounded, to {@code digits}); null for any other
     * moment, and for a precision the connector writes with its own formatter (none, or more than 9 digits).
     */
    static String writtenAtUtc(OffsetDateTime at, int digits) {
        int year = at.getYear();
        if (digits < 1 || digits >= FORMATTERS.length || !ZoneOffset.UTC.equals(at.getOffset()) || year < 1 || year > 9999) {
            return null;
        }
        char[] text = new char[21 + digits];
        put(text, 0, year, 4);
        text[4] = '-';
        put(text, 5, at.getMonthValue(), 2);
        text[7] = '-';
        put(text, 8, at.getDayOfMonth(), 2);
        text[10] = 'T';
        put(text, 11, at.getHour(), 2);
        text[13] = ':';
        put(text, 14, at.getMinute(), 2);
        text[16] = ':';
        put(text, 17, at.getSecond(), 2);
        text[19] = '.';
        int nanos = at.getNano();
        for (int i = 9; i > digits; i--) {
            nanos /= 10;
        }
        put(text, 20, nanos, digits);
        text[20 + digits] = 'Z';
        return new String(text);
    }

    /** {@code value} in {@code width} decimal digits, zero-padded, at {@code from}. */
    private static void put(char[] text, int from, int value, int width) {
        for (int i = from + width - 1; i >= from; i--) {
            text[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    /** The connector's conversion of a {@code timestamptz} value, for every value the short way does not take. */
    private static String asTheConnectorDoes(Object value, int width) {
        Object data = value;
        if (data instanceof String text) {
            // A column's default comes already converted (the connector hands its converters the text it would
            // write), and its own converter passes such a text through unchanged.
            if (INFINITY.equals(text) || MINUS_INFINITY.equals(text) || text.indexOf('T') > 0) {
                return text;
            }
            data = DateTimeFormat.get().timestampWithTimeZoneToOffsetDateTime(text).withOffsetSameInstant(ZoneOffset.UTC);
        }
        if (data instanceof java.util.Date date) {
            data = OffsetDateTime.ofInstant(date.toInstant(), ZoneOffset.UTC);
        }
        if (PostgresValueConverter.POSITIVE_INFINITY_OFFSET_DATE_TIME.equals(data)) {
            return INFINITY;
        }
        if (PostgresValueConverter.NEGATIVE_INFINITY_OFFSET_DATE_TIME.equals(data)) {
            return MINUS_INFINITY;
        }
        if (data instanceof OffsetDateTime at) {
            data = at.toZonedDateTime();
        }
        return ZonedTimestamp.toIsoString(data, ZoneOffset.UTC, null, width);
    }

    private static boolean isInfinity(OffsetDateTime at) {
        return PostgresValueConverter.POSITIVE_INFINITY_OFFSET_DATE_TIME.equals(at)
                || PostgresValueConverter.NEGATIVE_INFINITY_OFFSET_DATE_TIME.equals(at);
    }
}
