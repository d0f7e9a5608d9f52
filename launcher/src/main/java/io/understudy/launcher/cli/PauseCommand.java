package io.understudy.launcher.cli;

import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code understudy pause} and {@code understudy resume}: automatic failover off and on, cluster-wide. */
abstract class PauseCommand extends OperatorCommand {

    abstract boolean pause();

    @Override
    public Integer call() throws InterruptedException {
        Map<String, Object> body = new HashMap<>();
        body.put("reason", reason());
        return submit(pause() ? "pause" : "resume", body, s -> s.settings() != null && s.settings().failoverPaused() == pause(),
                "automatic failover is " + (pause() ? "paused" : "on"));
    }

    @Command(name = "pause", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Maintenance: no automatic failover until 'understudy resume'. Switchovers, forced failovers and" +
                " drills still work."})
    static final class Pause extends PauseCommand {
        @Override
        boolean pause() {
            return true;
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Automatic failover on again after 'understudy pause'.")
    static final class Resume extends PauseCommand {
        @Override
        boolean pause() {
            return false;
        }
    }
}
