package io.understudy.replicator.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.connector.postgresql.connection.DateTimeFormat;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URLClassLoader;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The replicator's {@link DateTimeFormat} against the PostgreSQL connector's own, loaded from Debezium's jar: the same
 * value or the same failure for seeded text in PostgreSQL's shapes (years 4713 BC to 294276 AD, every precision, offsets
 * of hours, minutes and seconds) and for malformed text.
 */
class DateTimeFormatTest {

    private static final long SEED = 20261204L;
    private static final String[] METHODS = {"timestampWithTimeZoneToOffsetDateTime", "timestampToInstant", "date", "time",
        "timeWithTimeZone", "systemTimestampToInstant"};

    private static URLClassLoader debeziums;
    private static Object theirs;

    @BeforeAll
    static void loadTheConnectorsCopy() throws Exception {
        Set<String> names = Set.of(DateTimeFormat.class.getName(), DateTimeFormat.ISODateTimeFormat.class.getName());
        debeziums = new DebeziumClassReplacementTest.OriginalFirst(
                DebeziumClassReplacementTest.debeziumJarOf(DateTimeFormat.class), DateTimeFormatTest.class.getClassLoader(), names);
        Class<?> type = debeziums.loadClass(DateTimeFormat.class.getName());
        assertThat(type).isNotEqualTo(DateTimeFormat.class);
        theirs = type.getMethod("get").invoke(null);
    }

    @AfterAll
    static void close() throws Exception {
        debeziums.close();
    }

    @Test
    void shouldReadPostgresqlsTextAsTheConnectorDoes() throws Exception {
        System.out.println("DateTimeFormatTest seed " + SEED);
        Random random = new Random(SEED);
        for (int i = 0; i < 20_000; i++) {
            String date = date(random);
            String timestamp = date.replace(" BC", "") + " " + time(random);
            String era = date.endsWith(" BC") ? " BC" : "";
            assertSameOutcome("date", date);
            assertSameOutcome("timestampToInstant", timestamp + era);
            assertSameOutcome("timestampWithTimeZoneToOffsetDateTime", timestamp + offset(random) + era);
        }
    }

    @Test
    void shouldTakeTheQuickWayForTheCommonShapes() {
        assertThat(PgDateTimeText.timestampTz("2026-12-04 13:14:05.123456+00"))
                .isEqualTo(OffsetDateTime.parse("2026-12-04T13:14:05.123456Z"));
        assertThat(PgDateTimeText.timestampTz("0001-01-01 00:00:00-08:00:15"))
                .isEqualTo(OffsetDateTime.parse("0001-01-01T00:00:00-08:00:15"));
        assertThat(PgDateTimeText.timestamp("9999-12-31 23:59:59.9")).isEqualTo(LocalDateTime.parse("9999-12-31T23:59:59.9"));
        assertThat(PgDateTimeText.date("2024-02-29")).isEqualTo(LocalDate.parse("2024-02-29"));
        // the slow way, with the formatters
        assertThat(PgDateTimeText.timestampTz("0044-03-15 12:00:00+00 BC")).isNull();
        assertThat(PgDateTimeText.timestampTz("12026-12-04 13:14:05+00")).isNull();
        assertThat(PgDateTimeText.timestampTz("2023-02-29 13:14:05+00")).isNull();
        assertThat(PgDateTimeText.date("infinity")).isNull();
    }

    @Test
    void shouldFailWhereTheConnectorFails() throws Exception {
        for (String text : new String[] {"", " ", "infinity", "-infinity", "2026-12-04", "2026-12-04 13:14", "13:14:05",
            "13:14:05.5+02", "2026-12-04 13:14:05", "2026-12-04 13:14:05+00", "2026-12-04T13:14:05+00", "2026-12-04 25:00:00+00",
            "2026-12-04 24:00:00+00", "2026-12-04 13:60:00+00", "2026-12-04 13:14:60+00", "2026-02-30 00:00:00+00",
            "2026-13-01 00:00:00+00", "0000-01-01 00:00:00+00", "2026-12-04 13:14:05.+00", "2026-12-04 13:14:05.1234567891+00",
            "2026-12-04 13:14:05.123456789+00", "2026-12-04 13:14:05+0530", "2026-12-04 13:14:05+05:3", "2026-12-04 13:14:05 +00",
            "2026-12-04 13:14:05+19", "2026-12-04 13:14:05-18:00", "2026-12-04 13:14:05+05:30:0", "2026-12-04 13:14:05+00 AD",
            "2026-12-04 13:14:05+00 BC", "2026-12-04 13:14:05.5 BC", "2026-12-04 BC", "2026-1a-04 13:14:05+00",
            "2026/12/04 13:14:05+00", "+2026-12-04 13:14:05+00", "2026-12-04 13:14:05Z", "2026-12-04 13:14:05.000000+00:00"}) {
            assertSameOutcome(text);
        }
    }

    private static void assertSameOutcome(String text) throws Exception {
        for (String name : METHODS) {
            assertSameOutcome(name, text);
        }
    }

    private static void assertSameOutcome(String name, String text) throws Exception {
        Outcome expected = outcome(theirs, name, text);
        Outcome actual = outcome(DateTimeFormat.get(), name, text);
        assertThat(actual).as("%s(\"%s\") (seed %d)", name, text, SEED).isEqualTo(expected);
    }

    /** A value, or the failure's class and its cause's class. */
    private record Outcome(Object value, String failure) {
    }

    private static Outcome outcome(Object format, String name, String text) throws Exception {
        Method method = format.getClass().getMethod(name, String.class);
        method.setAccessible(true);
        try {
            return new Outcome(method.invoke(format, text), null);
        } catch (InvocationTargetException e) {
            Throwable failure = e.getCause();
            return new Outcome(null, failure.getClass().getName() + " caused by "
                    + (failure.getCause() == null ? null : failure.getCause().getClass().getName()));
        }
    }

    /** yyyy-MM-dd, with " BC" for a year before Christ; years 4713 BC to 294276 AD as PostgreSQL has them. */
    private static String date(Random random) {
        int pick = random.nextInt(20);
        int year = pick == 0 ? 1 + random.nextInt(4713) : pick == 1 ? 10_000 + random.nextInt(284_277) : 1 + random.nextInt(9999);
        LocalDate day = LocalDate.of(year, 1 + random.nextInt(12), 1).plusDays(random.nextInt(28));
        return String.format("%04d-%02d-%02d", year, day.getMonthValue(), day.getDayOfMonth()) + (pick == 0 ? " BC" : "");
    }

    /** HH:mm:ss with 0 to 6 digits of fraction, trailing zeros dropped as PostgreSQL drops them. */
    private static String time(Random random) {
        String fraction = String.format("%06d", random.nextInt(1_000_000)).substring(0, random.nextInt(7)).replaceAll("0+$", "");
        return String.format("%02d:%02d:%02d", random.nextInt(24), random.nextInt(60), random.nextInt(60))
                + (fraction.isEmpty() ? "" : "." + fraction);
    }

    /** ±HH, ±HH:mm or (the local mean times of old zones) ±HH:mm:ss. */
    private static String offset(Random random) {
        String sign = random.nextBoolean() ? "+" : "-";
        String hours = String.format("%02d", random.nextInt(15));
        return switch (random.nextInt(3)) {
            case 0 -> sign + hours;
            case 1 -> sign + hours + String.format(":%02d", 1 + random.nextInt(59));
            default -> sign + hours + String.format(":%02d:%02d", random.nextInt(60), 1 + random.nextInt(59));
        };
    }
}
