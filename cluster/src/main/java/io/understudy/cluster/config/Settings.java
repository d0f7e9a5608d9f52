package io.understudy.cluster.config;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * Typed, validated access to a {@code key=value} configuration file, with environment overrides:
 * key {@code api.port} is overridden by {@code UNDERSTUDY_API_PORT}. Every failure is a
 * {@link ConfigException} naming the file and the key. Each module turns a Settings into its own
 * config record at start, so a bad file stops the process before it does anything.
 */
public final class Settings {

    public static final String ENV_PREFIX = "UNDERSTUDY_";

    private final String source;
    private final Properties values;
    private final Map<String, String> env;

    public Settings(String source, Properties values, Map<String, String> env) {
        this.source = source;
        this.values = values;
        this.env = Map.copyOf(env);
    }

    public static Settings load(Path file) {
        return load(file, System.getenv());
    }

    public static Settings load(Path file, Map<String, String> env) {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException(file.toString(), "(file)", "cannot read: " + e.getMessage());
        }
        return new Settings(file.toString(), props, env);
    }

    public static Settings of(String source, Map<String, String> values) {
        Properties props = new Properties();
        props.putAll(values);
        return new Settings(source, props, Map.of());
    }

    public String source() {
        return source;
    }

    /** Fails on keys in the file that no module reads: a typo must not silently fall back to a default. */
    public Settings rejectUnknownKeys(Set<String> known) {
        return rejectUnknownKeys(known, key -> false, "");
    }

    /**
     * As {@link #rejectUnknownKeys(Set)}, for modules that also read keys of their own naming, such as
     * {@code duties.<name>.command}: {@code alsoKnown} accepts those, {@code alsoKnownText} describes them.
     */
    public Settings rejectUnknownKeys(Set<String> known, java.util.function.Predicate<String> alsoKnown,
                                      String alsoKnownText) {
        Set<String> unknown = new TreeSet<>(values.stringPropertyNames());
        unknown.removeAll(known);
        unknown.removeIf(alsoKnown);
        if (!unknown.isEmpty()) {
            String key = unknown.iterator().next();
            throw new ConfigException(source, key, "unknown key (known keys: " + new TreeSet<>(known) + alsoKnownText + ")");
        }
        return this;
    }

    /**
     * The keys of the file that start with {@code prefix}, sorted; for keys whose names a module does not know in
     * advance, such as one group per duty. Environment variables override such keys but do not add any.
     */
    public Set<String> keysStartingWith(String prefix) {
        Set<String> keys = new TreeSet<>();
        for (String key : values.stringPropertyNames()) {
            if (key.startsWith(prefix)) {
                keys.add(key);
            }
        }
        return keys;
    }

    private String raw(String key) {
        String fromEnv = env.get(ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
        String value = fromEnv != null ? fromEnv : values.getProperty(key);
        return value == null ? null : value.trim();
    }

    public String string(String key) {
        String value = raw(key);
        if (value == null || value.isEmpty()) {
            throw new ConfigException(source, key, "is required");
        }
        return value;
    }

    public String string(String key, String defaultValue) {
        String value = raw(key);
        return value == null || value.isEmpty() ? defaultValue : value;
    }

    public long longValue(String key, long defaultValue, long min, long max) {
        String value = raw(key);
        if (value == null || value.isEmpty()) {
            return defaultValue;
        }
        long parsed;
        try {
            parsed = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new ConfigException(source, key, "must be a whole number, got '" + value + "'");
        }
        if (parsed < min || parsed > max) {
            throw new ConfigException(source, key, "must be between " + min + " and " + max + ", got " + parsed);
        }
        return parsed;
    }

    public int intValue(String key, int defaultValue, int min, int max) {
        return (int) longValue(key, defaultValue, min, max);
    }

    public int port(String key, int defaultValue) {
        return intValue(key, defaultValue, 1, 65535);
    }

    public boolean bool(String key, boolean defaultValue) {
        String value = raw(key);
        if (value == null || value.isEmpty()) {
            return defaultValue;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new ConfigException(source, key, "must be true or false, got '" + value + "'");
        };
    }

    public <E extends Enum<E>> E enumValue(String key, Class<E> type, E defaultValue) {
        String value = raw(key);
        if (value == null || value.isEmpty()) {
            return defaultValue;
        }
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equalsIgnoreCase(value)) {
                return constant;
            }
        }
        throw new ConfigException(source, key, "must be one of " + java.util.Arrays.toString(type.getEnumConstants())
                + ", got '" + value + "'");
    }

    /** An absolute http(s) URL without a trailing slash. */
    public String httpUrl(String key, String defaultValue) {
        String value = defaultValue == null ? string(key) : string(key, defaultValue);
        try {
            URI uri = new URI(value);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new ConfigException(source, key, "must be an http(s) URL with a host, got '" + value + "'");
            }
        } catch (URISyntaxException e) {
            throw new ConfigException(source, key, "is not a URL: " + e.getMessage());
        }
        return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
    }

    public Path path(String key, Path defaultValue) {
        String value = raw(key);
        return value == null || value.isEmpty() ? defaultValue : Path.of(value);
    }

    /** A value that must also satisfy {@code check}; {@code problem} says what is wrong. */
    public String matching(String key, String defaultValue, java.util.function.Predicate<String> check, String problem) {
        String value = defaultValue == null ? string(key) : string(key, defaultValue);
        if (!check.test(value)) {
            throw new ConfigException(source, key, problem + ", got '" + value + "'");
        }
        return value;
    }
}
