package io.understudy.node.duties;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;

/**
 * A duty's cron expression, evaluated by cron-utils in the node's time zone. Five fields are Unix cron
 * ({@code minute hour day-of-month month day-of-week}, e.g. {@code 0 2 * * *}); six fields put seconds first, as
 * in Spring ({@code second minute hour day-of-month month day-of-week}, e.g. {@code *}{@code /10 * * * * *}).
 * Immutable and thread-safe.
 */
public final class Schedule {

    private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final CronParser WITH_SECONDS = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.SPRING));

    private final String expression;
    private final ExecutionTime times;
    private final ZoneId zone;

    private Schedule(String expression, ExecutionTime times, ZoneId zone) {
        this.expression = expression;
        this.times = times;
        this.zone = zone;
    }

    /** @throws IllegalArgumentException saying what is wrong with the expression */
    public static Schedule parse(String expression, ZoneId zone) {
        String trimmed = expression.trim();
        int fields = trimmed.split("\\s+").length;
        CronParser parser = switch (fields) {
            case 5 -> UNIX;
            case 6 -> WITH_SECONDS;
            default -> throw new IllegalArgumentException("a cron expression has 5 fields (minute hour day-of-month month"
                    + " day-of-week) or 6 with seconds first, got " + fields + ": '" + trimmed + "'");
        };
        try {
            Cron cron = parser.parse(trimmed).validate();
            return new Schedule(trimmed, ExecutionTime.forCron(cron), zone);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a valid cron expression '" + trimmed + "': " + e.getMessage(), e);
        }
    }

    /** The latest slot at or before {@code nowMs} (to the second), in epoch millis; -1 if there is none. */
    public long lastSlotAtOrBefore(long nowMs) {
        // cron-utils answers strictly before the instant it is given
        ZonedDateTime justAfter = Instant.ofEpochMilli(nowMs).truncatedTo(ChronoUnit.SECONDS).plusSeconds(1).atZone(zone);
        return times.lastExecution(justAfter)
                .map(t -> t.truncatedTo(ChronoUnit.SECONDS).toInstant().toEpochMilli())
                .orElse(-1L);
    }

    /** The first slot after {@code nowMs}, in epoch millis; -1 if there is none. */
    public long nextSlotAfter(long nowMs) {
        ZonedDateTime from = Instant.ofEpochMilli(nowMs).truncatedTo(ChronoUnit.SECONDS).atZone(zone);
        return times.nextExecution(from)
                .map(t -> t.truncatedTo(ChronoUnit.SECONDS).toInstant().toEpochMilli())
                .orElse(-1L);
    }

    @Override
    public String toString() {
        return expression;
    }
}
