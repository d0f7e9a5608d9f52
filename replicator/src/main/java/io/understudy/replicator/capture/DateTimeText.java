package io.understudy.replicator.capture;

import io.debezium.connector.postgresql.PostgresValueConverter;
import io.debezium.time.MicroTimestamp;
import io.debezium.time.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.postgresql.PGStatement;

/**
 * PostgreSQL's own text for the connector's date and time values, over the whole range PostgreSQL stores: from 4713 BC
 * to years past 9999, and the infinities.
 *
 * <p>Java prints a year before 1 AD as a negative astronomical year ({@code -0043} is 44 BC) and a year past 9999 with
 * a plus sign; PostgreSQL reads neither, it writes {@code 0044-03-15 BC} and {@code 12345-06-07}. The connector gives
 * an infinity as a value of its type that no stored date or time can have (each is computed here as the connector
 * computes it, with the same time zone): PostgreSQL's JDBC driver's sentinel, or the day PostgreSQL's own date
 * sentinel falls on. The one ambiguity is the connector's: {@code timestamp} {@code 294247-01-10 04:00:25.2} reads as
 * infinity.
 */
final class DateTimeText {

    private static final long DATE_INFINITY = PostgresValueConverter.POSITIVE_INFINITY_LOCAL_DATE.toEpochDay();
    private static final long DATE_MINUS_INFINITY = PostgresValueConverter.NEGATIVE_INFINITY_LOCAL_DATE.toEpochDay();
    /** What a snapshot's {@code java.sql.Date} infinities become, as the connector converts them. */
    private static final long SNAPSHOT_DATE_INFINITY =
            io.debezium.time.Date.toEpochDay(new java.sql.Date(PGStatement.DATE_POSITIVE_INFINITY), null);
    private static final long SNAPSHOT_DATE_MINUS_INFINITY =
            io.debezium.time.Date.toEpochDay(new java.sql.Date(PGStatement.DATE_NEGATIVE_INFINITY), null);
    private static final long MICROS_INFINITY =
            MicroTimestamp.toEpochMicros(PostgresValueConverter.POSITIVE_INFINITY_LOCAL_DATE_TIME, null);
    private static final long MICROS_MINUS_INFINITY =
            MicroTimestamp.toEpochMicros(PostgresValueConverter.NEGATIVE_INFINITY_LOCAL_DATE_TIME, null);
    private static final long MILLIS_INFINITY = Timestamp.toEpochMillis(PostgresValueConverter.POSITIVE_INFINITY_LOCAL_DATE_TIME, null);
    private static final long MILLIS_MINUS_INFINITY =
            Timestamp.toEpochMillis(PostgresValueConverter.NEGATIVE_INFINITY_LOCAL_DATE_TIME, null);
    private static final String INFINITY = "infinity";
    private static final String MINUS_INFINITY = "-infinity";

    private DateTimeText() {
    }

    /** A {@code date} given as days since 1970-01-01. */
    static String date(long epochDay) {
        if (epochDay == DATE_INFINITY || epochDay == SNAPSHOT_DATE_INFINITY) {
            return INFINITY;
        }
        if (epochDay == DATE_MINUS_INFINITY || epochDay == SNAPSHOT_DATE_MINUS_INFINITY) {
            return MINUS_INFINITY;
        }
        LocalDate date = LocalDate.ofEpochDay(epochDay);
        return withEra(date, "");
    }

    /** A {@code timestamp} given as milliseconds since 1970-01-01 00:00. */
    static String timestampMillis(long millis) {
        return millis == MILLIS_INFINITY ? INFINITY : millis == MILLIS_MINUS_INFINITY ? MINUS_INFINITY
                : timestamp(Math.floorDiv(millis, 1_000L), Math.floorMod(millis, 1_000L) * 1_000_000L);
    }

    /** A {@code timestamp} given as microseconds since 1970-01-01 00:00. */
    static String timestampMicros(long micros) {
        return micros == MICROS_INFINITY ? INFINITY : micros == MICROS_MINUS_INFINITY ? MINUS_INFINITY
                : timestamp(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    /** A {@code timestamp} given as nanoseconds since 1970-01-01 00:00 (its range is a long's: 1677 to 2262). */
    static String timestampNanos(long nanos) {
        return nanos == Long.MAX_VALUE ? INFINITY : nanos == Long.MIN_VALUE ? MINUS_INFINITY
                : timestamp(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    /**
     * A {@code timestamptz} as the connector writes it (ISO 8601, or an infinity). Only a year outside 1 to 9999 has
     * a sign in front, and only such a text is rewritten; every other one PostgreSQL reads as it is.
     */
    static String zoned(String iso) {
        if (iso.isEmpty() || (iso.charAt(0) != '-' && iso.charAt(0) != '+') || iso.equals(MINUS_INFINITY)) {
            return iso;
        }
        LocalDateTime utc = OffsetDateTime.parse(iso).withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
        return withEra(utc.toLocalDate(), " " + utc.toLocalTime() + "+00");
    }

    private static String timestamp(long epochSecond, long nanos) {
        LocalDateTime at = LocalDateTime.ofEpochSecond(epochSecond, (int) nanos, ZoneOffset.UTC);
        return withEra(at.toLocalDate(), " " + at.toLocalTime());
    }

    /** The date, then {@code rest} (the time, the offset), then the era if before Christ. */
    private static String withEra(LocalDate date, String rest) {
        int year = date.getYear();
        if (year >= 1 && year <= 9999) {
            return date + rest;
        }
        String monthAndDay = String.format("-%02d-%02d", date.getMonthValue(), date.getDayOfMonth());
        return year < 1 ? String.format("%04d", 1 - year) + monthAndDay + rest + " BC" : year + monthAndDay + rest;
    }
}
