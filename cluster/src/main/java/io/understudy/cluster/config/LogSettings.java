package io.understudy.cluster.config;

import java.util.Locale;
import java.util.Set;

/**
 * How a node, a switch or the local appliance writes its log (key {@code log.format}, environment
 * {@code UNDERSTUDY_LOG_FORMAT}), validated at start like every other key.
 *
 * @param format {@code text} (default): one human line per event; {@code json}: one JSON object per
 *               line (Logback's own encoder), carrying the process name and the node's id and epoch,
 *               for a log shipper
 */
public record LogSettings(Format format) {

    public static final String FORMAT = "log.format";

    /** Keys this record reads; the node's and the switch's key lists include them. */
    public static final Set<String> KEYS = Set.of(FORMAT);

    public static final LogSettings DEFAULTS = new LogSettings(Format.TEXT);

    /** The shape of each log line. */
    public enum Format {
        /** A human line: time, level, node and epoch, logger, message. */
        TEXT,
        /** One JSON object per line. */
        JSON;

        /** The value as written in a file or the environment: {@code text} or {@code json}. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static LogSettings from(Settings s) {
        return new LogSettings(Format.valueOf(s.matching(FORMAT, "text", v -> v.equals("text") || v.equals("json"),
                "must be 'text' or 'json'").toUpperCase(Locale.ROOT)));
    }
}
