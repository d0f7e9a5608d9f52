package io.understudy.launcher.cli.drill;

import io.understudy.cluster.Role;
import io.understudy.failoverswitch.admin.StatusReport;
import io.understudy.launcher.cli.AdminClient;
import io.understudy.launcher.cli.CliFailure;
import io.understudy.launcher.cli.StatusParsing;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;

/**
 * After the load: waits a bounded time for the old primary to come back as a healthy, streaming
 * secondary. The drill's recovery never depends on it; the report says whether it happened.
 */
final class RejoinWatch {

    private static final Duration POLL = Duration.ofMillis(250);

    /** @param status the last status read, empty when the switch did not answer */
    record Result(boolean back, String note, Optional<StatusReport> status) {
    }

    private final AdminClient client;
    private final Duration wait;
    private final PrintWriter out;

    RejoinWatch(AdminClient client, Duration wait, PrintWriter out) {
        this.client = client;
        this.wait = wait;
        this.out = out;
    }

    Result await(String victim, DrillEvents events) throws InterruptedException {
        long begin = System.nanoTime();
        long deadline = begin + wait.toNanos();
        if (!wait.isZero()) {
            out.println("waiting up to " + wait.toSeconds() + " s for " + victim + " to come back as a secondary (--rejoin-wait)");
        }
        Optional<StatusReport> last = Optional.empty();
        while (true) {
            try {
                last = Optional.of(StatusParsing.fetch(client));
            } catch (CliFailure e) {
                // the switch did not answer this time; the note below says what was seen last
            }
            Optional<StatusReport.Member> member = last.flatMap(s -> s.members().stream()
                    .filter(m -> m.nodeId().equals(victim)).findFirst());
            if (member.isPresent() && streamingSecondary(member.get())) {
                long ms = Duration.ofNanos(System.nanoTime() - begin).toMillis();
                events.drill(System.nanoTime(), "REJOINED", victim, member.get().epoch(), victim + " is a streaming secondary");
                return new Result(true, "back as a streaming secondary (" + ms + " ms after the load stopped)", last);
            }
            if (System.nanoTime() - deadline >= 0) {
                String seen = member.map(m -> m.role() + (m.healthy() ? "" : ", unhealthy") + ", replication "
                        + (m.replication() == null ? "NONE" : m.replication().state()))
                        .orElse("not a member (its process or session is gone)");
                return new Result(false, "not back within " + wait.toSeconds() + " s after the load stopped: " + seen, last);
            }
            Thread.sleep(POLL.toMillis()); // polling the switch while the old primary restarts or rejoins
        }
    }

    static boolean streamingSecondary(StatusReport.Member m) {
        return m.role() == Role.SECONDARY && m.healthy() && m.replication() != null
                && "STREAMING".equals(m.replication().state());
    }
}
