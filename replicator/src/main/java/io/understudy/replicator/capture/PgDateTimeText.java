package io.understudy.replicator.capture;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Reads the text PostgreSQL writes for {@code date}, {@code timestamp} and {@code timestamptz} values
 * (DateStyle ISO) in the shape it has for years 1 to 9999 AD, by hand: {@code 2026-12-04},
 * {@code 2026-12-04 13:14:05.123456} and {@code 2026-12-04 13:14:05.123456+00} (an offset of hours, or
 * hours and minutes, or hours, minutes and seconds). Every method answers null for any other text
 * (a year before Christ or past 9999, an infinity, a value out of range, anything malformed), which
 * its callers then read the slow way, with {@code java.time}'s formatters.
 *
 * <p>It exists because the PostgreSQL connector parses every such value of every change with a
 * {@code DateTimeFormatter} on its single decoding thread (see the connector's {@code DateTimeFormat},
 * which the replicator carries and which tries this first).
 */
public final class PgDateTimeText {

    private static final int[] SCALE = {0, 100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1};

    private PgDateTimeText() {
    }

    /** {@code yyyy-MM-dd}, or null. */
    public static LocalDate date(String s) {
        return s != null && s.length() == 10 ? readDate(s) : null;
    }

    /** {@code yyyy-MM-dd HH:mm:ss[.f]} with one to nine digits of fraction, or null. */
    public static LocalDateTime timestamp(String s) {
        return s != null && endOfTime(s) == s.length() ? dateTime(s, s.length()) : null;
    }

    /** {@code yyyy-MM-dd HH:mm:ss[.f]±HH[:mm[:ss]]}, or null. */
    public static OffsetDateTime timestampTz(String s) {
        int end = s == null ? -1 : endOfTime(s);
        ZoneOffset offset = end < 0 ? null : offset(s, end);
        LocalDateTime local = offset == null ? null : dateTime(s, end);
        return local == null ? null : OffsetDateTime.of(local, offset);
    }

    /** The date at the start of {@code s}, or null (also for digits that make no date, such as a 30 February). */
    private static LocalDate readDate(String s) {
        if (s.length() < 10 || s.charAt(4) != '-' || s.charAt(7) != '-') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        try {
            return year < 1 || month < 0 || day < 0 ? null : LocalDate.of(year, month, day);
        } catch (DateTimeException e) {
            return null;
        }
    }

    /** Where the time that follows the date ends (after its fraction), or -1 when there is no well-formed time. */
    private static int endOfTime(String s) {
        if (s.length() < 19 || s.charAt(10) != ' ' || s.charAt(13) != ':' || s.charAt(16) != ':'
                || digits(s, 11, 2) < 0 || digits(s, 14, 2) < 0 || digits(s, 17, 2) < 0) {
            return -1;
        }
        if (s.length() == 19 || s.charAt(19) != '.') {
            return 19;
        }
        int end = 20;
        while (end < s.length() && end - 20 < 9 && isDigit(s.charAt(end))) {
            end++;
        }
        return end == 20 ? -1 : end;
    }

    /** The date and time of a string whose {@link #endOfTime} is {@code end}, or null when they make no date or time. */
    private static LocalDateTime dateTime(String s, int end) {
        LocalDate date = readDate(s);
        if (date == null) {
            return null;
        }
        int nanos = end > 20 ? digits(s, 20, end - 20) * SCALE[end - 20] : 0;
        try {
            return date.atTime(LocalTime.of(digits(s, 11, 2), digits(s, 14, 2), digits(s, 17, 2), nanos));
        } catch (DateTimeException e) {
            return null;
        }
    }

    /** The offset from {@code from} to the end of {@code s}: ±HH, ±HH:mm or ±HH:mm:ss; null for anything else. */
    private static ZoneOffset offset(String s, int from) {
        int length = s.length() - from;
        if (length != 3 && length != 6 && length != 9) {
            return null;
        }
        char sign = s.charAt(from);
        if (sign != '+' && sign != '-') {
            return null;
        }
        int hours = digits(s, from + 1, 2);
        int minutes = length >= 6 && s.charAt(from + 3) == ':' ? digits(s, from + 4, 2) : length >= 6 ? -1 : 0;
        int seconds = length == 9 && s.charAt(from + 6) == ':' ? digits(s, from + 7, 2) : length == 9 ? -1 : 0;
        if (hours < 0 || minutes < 0 || seconds < 0) {
            return null;
        }
        int direction = sign == '-' ? -1 : 1;
        try {
            return ZoneOffset.ofHoursMinutesSeconds(direction * hours, direction * minutes, direction * seconds);
        } catch (DateTimeException e) {
            return null;
        }
    }

    /** The number written by {@code count} ASCII digits at {@code from}, or -1 when one of them is not a digit. */
    private static int digits(String s, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (!isDigit(c)) {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
