package io.understudy.node.hooks;

import io.understudy.cluster.config.Settings;
import java.util.Set;

/**
 * Role hooks: shell commands ({@code /bin/sh -c}) run on role changes; each may be unset.
 *
 * @param timeoutMs how long one hook may run before its process group is stopped (SIGTERM, SIGKILL 2 s later)
 */
public record HookSettings(String onPrimary, String onSecondary, String onStop, long timeoutMs) {

    public static final Set<String> KEYS = Set.of("hooks.onPrimary", "hooks.onSecondary", "hooks.onStop", "hooks.timeoutMs");

    public static HookSettings from(Settings s) {
        return new HookSettings(s.string("hooks.onPrimary", null), s.string("hooks.onSecondary", null),
                s.string("hooks.onStop", null), s.longValue("hooks.timeoutMs", 30_000, 100, 3_600_000));
    }

    /** The command of {@code hook}, or null when it is not set. */
    public String command(Hook hook) {
        return switch (hook) {
            case ON_PRIMARY -> onPrimary;
            case ON_SECONDARY -> onSecondary;
            case ON_STOP -> onStop;
        };
    }
}
