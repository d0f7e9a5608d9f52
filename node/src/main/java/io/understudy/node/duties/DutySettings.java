package io.understudy.node.duties;

import io.understudy.cluster.config.ConfigException;
import io.understudy.cluster.config.Settings;
import io.understudy.cluster.zk.ZkPaths;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The primary-only duties: each is a group of keys {@code duties.<name>.schedule} (cron, required),
 * {@code duties.<name>.command} (required) and {@code duties.<name>.timeoutMs}. A duty is declared in the node's
 * file; {@code UNDERSTUDY_DUTIES_<NAME>_<FIELD>} in the environment overrides one of its keys. Every node of a
 * cluster should declare the same duties: whichever is primary runs them.
 */
public record DutySettings(List<Duty> duties) {

    public static final String PREFIX = "duties.";
    public static final Set<String> FIELDS = Set.of("schedule", "command", "timeoutMs");
    /** For the unknown-key error: what the node accepts besides its fixed keys. */
    public static final String KEYS_TEXT = " and duties.<name>." + new TreeSet<>(FIELDS);
    public static final long DEFAULT_TIMEOUT_MS = 60L * 60 * 1000;

    public DutySettings {
        duties = List.copyOf(duties);
    }

    /** Whether {@code key} belongs to a duty: {@code duties.<name>.<field>} with a known field. */
    public static boolean isDutyKey(String key) {
        if (!key.startsWith(PREFIX)) {
            return false;
        }
        int dot = key.lastIndexOf('.');
        return dot > PREFIX.length() && FIELDS.contains(key.substring(dot + 1));
    }

    public static DutySettings from(Settings s) {
        return from(s, ZoneId.systemDefault());
    }

    static DutySettings from(Settings s, ZoneId zone) {
        Set<String> names = new TreeSet<>();
        for (String key : s.keysStartingWith(PREFIX)) {
            if (!isDutyKey(key)) {
                throw new ConfigException(s.source(), key, "unknown key (a duty's keys are duties.<name>."
                        + new TreeSet<>(FIELDS) + ")");
            }
            String name = key.substring(PREFIX.length(), key.lastIndexOf('.'));
            try {
                ZkPaths.requireName("duty name", name);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(s.source(), key, e.getMessage());
            }
            names.add(name);
        }
        List<Duty> duties = new ArrayList<>();
        for (String name : names) {
            String scheduleKey = PREFIX + name + ".schedule";
            String expression = s.string(scheduleKey);
            Schedule schedule;
            try {
                schedule = Schedule.parse(expression, zone);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(s.source(), scheduleKey, e.getMessage());
            }
            duties.add(new Duty(name, schedule, s.string(PREFIX + name + ".command"),
                    s.longValue(PREFIX + name + ".timeoutMs", DEFAULT_TIMEOUT_MS, 1000, 7L * 24 * 60 * 60 * 1000)));
        }
        return new DutySettings(duties);
    }
}
