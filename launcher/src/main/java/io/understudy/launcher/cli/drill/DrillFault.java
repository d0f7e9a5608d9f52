package io.understudy.launcher.cli.drill;

import io.understudy.launcher.LocalProcesses;
import io.understudy.launcher.cli.AdminClient;
import io.understudy.launcher.cli.CliFailure;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What a drill does to the primary. On the local appliance it acts on the processes themselves;
 * against a remote cluster it asks the switch's admin API for a forced failover or a switchover.
 */
interface DrillFault {

    /** The kinds {@code --kind} accepts. */
    enum Kind {
        KILL("kill"), FREEZE("freeze"), SWITCHOVER("switchover"), DB_CRASH("db-crash");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    /** The report's kind: what was actually done. */
    String kind();

    /** Does it, and says what was done (with the pid hit, where there is one). */
    String inject() throws Exception;

    /** Undoes what must not outlast the drill (a frozen process is continued). Idempotent; safe from a shutdown hook. */
    default Optional<String> release() {
        return Optional.empty();
    }

    /**
     * @param victim the primary now
     * @param target for a switchover: the secondary to promote
     * @param local  the local appliance's processes, or empty for a remote cluster (or {@code --remote})
     * @throws CliFailure (usage) when the kind needs processes the drill cannot reach
     */
    static DrillFault of(Kind kind, String victim, String target, long epoch, Optional<LocalProcesses> local,
                         AdminClient client, String reason) {
        if (kind == Kind.SWITCHOVER) {
            return new Admin("switchover", client, "switchover", target, epoch, reason);
        }
        if (local.isEmpty()) {
            if (kind == Kind.DB_CRASH) {
                throw new CliFailure(2, "--kind db-crash kills the primary's PostgreSQL processes, which only works on the"
                        + " local appliance (its --data-dir, with --url its switch); against a remote cluster use kill, freeze"
                        + " (both a forced failover through the admin API) or switchover");
            }
            return new Admin("failover", client, "failover", null, epoch, reason);
        }
        return switch (kind) {
            case KILL -> new Kill(local.get(), victim);
            case FREEZE -> new Freeze(local.get(), victim);
            case DB_CRASH -> new CrashDatabase(local.get(), victim);
            case SWITCHOVER -> throw new IllegalStateException("a switchover goes through the admin API");
        };
    }

    /** SIGKILL of the primary's JVM; the drill waits until it is gone. */
    record Kill(LocalProcesses processes, String victim) implements DrillFault {
        @Override
        public String kind() {
            return Kind.KILL.label;
        }

        @Override
        public String inject() throws Exception {
            ProcessHandle node = processes.node(victim);
            node.destroyForcibly();
            try {
                node.onExit().get(30, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new IllegalStateException("node " + victim + " (pid " + node.pid() + ") survived SIGKILL for 30 s", e);
            }
            return "kill -9 of primary node " + victim + " (pid " + node.pid() + ")";
        }
    }

    /** SIGKILL of the primary's PostgreSQL: the postmaster and every process it started. */
    record CrashDatabase(LocalProcesses processes, String victim) implements DrillFault {
        @Override
        public String kind() {
            return Kind.DB_CRASH.label;
        }

        @Override
        public String inject() {
            ProcessHandle postmaster = processes.postmaster(victim);
            int killed = LocalProcesses.killTree("PostgreSQL of node " + victim, postmaster).size();
            return "kill -9 of the PostgreSQL of primary node " + victim + " (postmaster pid " + postmaster.pid() + " and "
                    + (killed - 1) + " child processes)";
        }
    }

    /** SIGSTOP of the primary's JVM; {@link #release} sends SIGCONT. */
    final class Freeze implements DrillFault {
        private final LocalProcesses processes;
        private final String victim;
        private final AtomicReference<ProcessHandle> frozen = new AtomicReference<>();

        Freeze(LocalProcesses processes, String victim) {
            this.processes = processes;
            this.victim = victim;
        }

        @Override
        public String kind() {
            return Kind.FREEZE.label;
        }

        @Override
        public String inject() {
            ProcessHandle node = processes.node(victim);
            frozen.set(node);
            LocalProcesses.signal(node, "STOP");
            return "SIGSTOP of primary node " + victim + " (pid " + node.pid() + ")";
        }

        @Override
        public Optional<String> release() {
            ProcessHandle node = frozen.getAndSet(null);
            if (node == null) {
                return Optional.empty();
            }
            LocalProcesses.signal(node, "CONT");
            return Optional.of("SIGCONT of node " + victim + " (pid " + node.pid() + ")");
        }
    }

    /** A command through the switch's admin API: a forced failover or a switchover, fenced by the epoch seen before. */
    record Admin(String kind, AdminClient client, String action, String target, long epoch, String reason) implements DrillFault {
        @Override
        public String inject() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("to", target);
            body.put("reason", reason);
            body.put("expectedEpoch", epoch);
            AdminClient.Answer answer = AdminClient.expectOk(client.act("POST", "/_understudy/" + action, body), action);
            return (action.equals("failover") ? "forced failover" : "switchover to " + target) + " through the admin API of "
                    + client.url() + " (command " + answer.body().path("command").path("id").asText() + ")";
        }
    }
}
