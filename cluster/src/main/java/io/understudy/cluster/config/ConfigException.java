package io.understudy.cluster.config;

/** A configuration value is missing or wrong. The message names the file, the key and the problem. */
public final class ConfigException extends RuntimeException {

    private final String source;
    private final String key;

    public ConfigException(String source, String key, String problem) {
        super(source + ": " + key + ": " + problem);
        this.source = source;
        this.key = key;
    }

    public String source() {
        return source;
    }

    public String key() {
        return key;
    }
}
