package io.understudy.launcher.cli;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code understudy pause} and {@code understudy resume}: automatic failover off and on, cluster-wide. */
abstract class PauseCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster;

    @Mixin
    WaitOptions waiting;

    abstract boolean pause();

    @Override
    public Integer call() throws InterruptedException {
        Map<String, Object> body = new HashMap<>();
        body.put("reason", waiting.reason);
        String action = pause() ? "pause" : "resume";
        return new OperatorCommand(cluster, spec.commandLine().getOut()).run(action, body, waiting.wait, waiting.timeout,
                s -> s.settings() != null && s.settings().failoverPaused() == pause(),
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
