package io.debezium.connector.postgresql.connection;

import io.debezium.connector.postgresql.PostgresValueConverter;
import io.understudy.replicator.capture.PgDateTimeText;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.SignStyle;
import java.time.format.TextStyle;
import java.time.temporal.ChronoField;
import java.util.Locale;
import java.util.function.Supplier;
import org.apache.kafka.connect.errors.ConnectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replicator's copy of the PostgreSQL connector's parser of date and time text (Debezium 3.6.1).
 *
 * <p>The connector parses every {@code date}, {@code timestamp} and {@code timestamptz} value of every
 * streamed change with a {@code DateTimeFormatter} on its single decoding thread: 14 % of that thread
 * in the replication bench's profile (3 % with this copy). This copy reads the common shape, years 1 to 9999 AD, by hand
 * ({@link PgDateTimeText}) and everything else (years before Christ or past 9999, infinities, malformed
 * text) with formatters that accept what the connector's accept, failing as the connector's fail.
 * {@code DateTimeFormatTest} compares both with the connector's own class on seeded and edge values;
 * {@code DebeziumClassReplacementTest} fails on an upgrade, or when the connector's copy would be loaded.
 */
public interface DateTimeFormat {

    Instant timestampToInstant(String s);

    OffsetDateTime timestampWithTimeZoneToOffsetDateTime(String s);

    Instant systemTimestampToInstant(String s);

    LocalDate date(String s);

    LocalTime time(String s);

    OffsetTime timeWithTimeZone(String s);

    /** Stateless: one instance serves every caller (the connector's copy made one per value). */
    static DateTimeFormat get() {
        return ISODateTimeFormat.SHARED;
    }

    /** PostgreSQL's ISO DateStyle text: the hand-read shape first, the formatters for the rest. */
    class ISODateTimeFormat implements DateTimeFormat {

        static final ISODateTimeFormat SHARED = new ISODateTimeFormat();
        private static final Logger LOGGER = LoggerFactory.getLogger(ISODateTimeFormat.class);

        /** Year of era (no sign, 4 to 10 digits), so that an era written after the value (" BC") can follow. */
        private static final DateTimeFormatter DATE = new DateTimeFormatterBuilder()
                .appendValue(ChronoField.YEAR_OF_ERA, 4, 10, SignStyle.NEVER).appendLiteral('-')
                .appendValue(ChronoField.MONTH_OF_YEAR, 2).appendLiteral('-')
                .appendValue(ChronoField.DAY_OF_MONTH, 2)
                .toFormatter();
        private static final DateTimeFormatter DATE_WITH_ERA = withEra(new DateTimeFormatterBuilder().append(DATE));
        private static final DateTimeFormatter TIMESTAMP = withEra(dateAndTime());
        /** Offsets of hours and optional minutes; an offset with seconds needs {@link #TIMESTAMP_TZ_SECONDS}. */
        private static final DateTimeFormatter TIMESTAMP_TZ = withEra(dateAndTime().appendOffset("+HH:mm", ""));
        private static final DateTimeFormatter TIMESTAMP_TZ_SECONDS = withEra(dateAndTime().appendOffset("+HH:MM:SS", ""));
        private static final DateTimeFormatter SYSTEM_TIMESTAMP = withEra(dateAndTime().appendOffset("+HH:mm", "Z"));
        private static final DateTimeFormatter TIME = new DateTimeFormatterBuilder()
                .appendPattern("HH:mm:ss")
                .optionalStart().appendFraction(ChronoField.MICRO_OF_SECOND, 0, 6, true).optionalEnd()
                .toFormatter();
        private static final DateTimeFormatter TIME_TZ = new DateTimeFormatterBuilder()
                .append(DateTimeFormatter.ISO_LOCAL_TIME).appendOffset("+HH:mm", "")
                .toFormatter();

        private static DateTimeFormatterBuilder dateAndTime() {
            return new DateTimeFormatterBuilder().append(DATE).appendLiteral(' ').append(DateTimeFormatter.ISO_LOCAL_TIME);
        }

        private static DateTimeFormatter withEra(DateTimeFormatterBuilder builder) {
            return builder.optionalStart().appendLiteral(' ').appendText(ChronoField.ERA, TextStyle.SHORT).optionalEnd()
                    .toFormatter(Locale.ENGLISH);
        }

        @Override
        public LocalDate date(String s) {
            if ("infinity".equals(s)) {
                return PostgresValueConverter.POSITIVE_INFINITY_LOCAL_DATE;
            }
            if ("-infinity".equals(s)) {
                return PostgresValueConverter.NEGATIVE_INFINITY_LOCAL_DATE;
            }
            LocalDate quick = PgDateTimeText.date(s);
            return quick != null ? quick : parse("y..y-MM-dd[ GG]", s, () -> LocalDate.parse(s, DATE_WITH_ERA));
        }

        @Override
        public LocalTime time(String s) {
            return parse("HH:mm:ss[.S]", s, () -> LocalTime.parse(s, TIME));
        }

        @Override
        public OffsetTime timeWithTimeZone(String s) {
            return parse("HH:mm:ss[.S]X", s, () -> OffsetTime.parse(s, TIME_TZ)).withOffsetSameInstant(ZoneOffset.UTC);
        }

        @Override
        public Instant timestampToInstant(String s) {
            LocalDateTime quick = PgDateTimeText.timestamp(s);
            LocalDateTime local = quick != null ? quick
                    : parse("y..y-MM-dd HH:mm:ss[.S]", s, () -> LocalDateTime.from(TIMESTAMP.parse(s)));
            return local.toInstant(ZoneOffset.UTC);
        }

        @Override
        public OffsetDateTime timestampWithTimeZoneToOffsetDateTime(String s) {
            OffsetDateTime quick = PgDateTimeText.timestampTz(s);
            if (quick != null) {
                return quick;
            }
            return parse("y..y-MM-dd HH:mm:ss[.S]X", s, () -> {
                try {
                    return OffsetDateTime.from(TIMESTAMP_TZ.parse(s));
                } catch (DateTimeParseException e) {
                    // far in the past, PostgreSQL writes the local mean time offsets of old zones, with seconds
                    return OffsetDateTime.from(TIMESTAMP_TZ_SECONDS.parse(s));
                }
            });
        }

        @Override
        public Instant systemTimestampToInstant(String s) {
            return parse("y..y-MM-dd HH:mm:ss.SSSSSSX", s, () -> OffsetDateTime.from(SYSTEM_TIMESTAMP.parse(s)).toInstant());
        }

        /** A value that does not parse is the connector's error: logged with the shape expected, then thrown. */
        private static <T> T parse(String expected, String s, Supplier<T> value) {
            try {
                return value.get();
            } catch (DateTimeParseException e) {
                LOGGER.error("Cannot parse time/date value '{}', expected format '{}'", s, expected);
                throw new ConnectException(e);
            }
        }
    }
}
