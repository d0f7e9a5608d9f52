package io.understudy.node.supervise;

import io.understudy.cluster.config.Settings;
import java.util.Set;

/**
 * The application the node starts and supervises itself, if any.
 *
 * @param command          shell command ({@code /bin/sh -c}) that runs the application in the foreground; null: none
 * @param runOn            on which nodes it runs
 * @param restartBackoffMs first wait before starting it again after it exited by itself (see {@link RestartPolicy})
 * @param stopGraceMs      after SIGTERM, how long it may take to exit before its process group gets SIGKILL
 */
public record SupervisionSettings(String command, RunOn runOn, long restartBackoffMs, long stopGraceMs) {

    public static final Set<String> KEYS = Set.of("app.command", "app.runOn", "app.restartBackoffMs", "app.stopGraceMs");

    /** Where the application runs. */
    public enum RunOn {
        /** Only on the primary: started on promotion, stopped on demotion (a cold standby). */
        PRIMARY,
        /** On every node once it has a role (a warm standby); the node's gateway decides who gets traffic. */
        ALL
    }

    public static SupervisionSettings from(Settings s) {
        return new SupervisionSettings(
                s.string("app.command", null),
                s.enumValue("app.runOn", RunOn.class, RunOn.PRIMARY),
                s.longValue("app.restartBackoffMs", 1000, 100, 600_000),
                s.longValue("app.stopGraceMs", 10_000, 0, 600_000));
    }

    public boolean enabled() {
        return command != null;
    }

    /** Whether the application should run on a node in {@code side}. */
    public boolean wanted(Side side) {
        return switch (side) {
            case NONE -> false;
            case PRIMARY -> true;
            case STANDBY -> runOn == RunOn.ALL;
        };
    }
}
