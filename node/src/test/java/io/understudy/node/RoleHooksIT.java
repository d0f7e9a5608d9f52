package io.understudy.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.understudy.node.support.Http;
import io.understudy.node.support.TestNodes;
import io.understudy.node.support.Traces;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Role hooks on two real nodes (real ZooKeeper, PostgreSQL, shells): each hook appends its environment to a file.
 * They fire with the right role, previous role, epoch and node, never hold up the role change, and are stopped
 * when superseded or past their timeout.
 */
class RoleHooksIT extends WithTwoDatabases {

    /** One line per hook run: event, node, role, previous role, epoch, then the pid of the sleep that follows. */
    private static final String RECORD = "echo \"$UNDERSTUDY_EVENT $UNDERSTUDY_NODE_ID $UNDERSTUDY_ROLE"
            + " $UNDERSTUDY_PREVIOUS_ROLE $UNDERSTUDY_EPOCH $UNDERSTUDY_CLUSTER $$\" >> ";

    private Map<String, String> hooks(Path events, long timeoutMs) {
        return Map.of(
                // the sleep keeps the onPrimary hook running: the role change must not wait for it
                "hooks.onPrimary", RECORD + events + "; exec sleep 600",
                "hooks.onSecondary", RECORD + events,
                "hooks.onStop", RECORD + events,
                "hooks.timeoutMs", Long.toString(timeoutMs));
    }

    @Test
    void shouldRunEachHookWithItsRoleEpochAndNodeWithoutHoldingUpTheRoleChange() throws Exception {
        Path events = dir.resolve("events");
        NodeConfig configA = TestNodes.config("a", zk.getConnectString(), pgA, dir, hooks(events, 600_000));
        NodeConfig configB = TestNodes.config("b", zk.getConnectString(), pgB, dir, hooks(events, 1500));
        String urlA = configA.apiAdvertisedUrl();

        a = Node.start(configA);
        await().atMost(Duration.ofSeconds(30)).until(() -> line(events, "onPrimary a").isPresent());
        long hookOfA = Traces.pidOf(line(events, "onPrimary a").get());
        assertThat(line(events, "onPrimary a")).hasValueSatisfying(l -> assertThat(l).startsWith("onPrimary a PRIMARY STARTING 1 it "));
        // its onPrimary hook sleeps on (timeout 10 minutes), and the node is primary and takes writes meanwhile
        await().atMost(Duration.ofSeconds(30)).until(() -> Http.status(urlA + "/primary") == 200);
        assertThat(Http.put(urlA + "/api/objects/during-hook", "{}").statusCode()).isEqualTo(201);
        assertThat(Traces.alive(hookOfA)).as("a's onPrimary hook still running").isTrue();

        b = Node.start(configB);
        await().atMost(Duration.ofSeconds(60)).until(() -> line(events, "onSecondary b").isPresent());
        assertThat(line(events, "onSecondary b").get()).startsWith("onSecondary b SECONDARY STARTING 1 it ");

        a.close();
        a = null;
        // stopping a superseded its running onPrimary hook, then ran onStop with the role it had
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Traces.alive(hookOfA)).isFalse());
        assertThat(line(events, "onStop a")).hasValueSatisfying(l -> assertThat(l).startsWith("onStop a STOPPED PRIMARY 1 it "));
        await().atMost(Duration.ofSeconds(30)).until(() -> line(events, "onPrimary b").isPresent());
        assertThat(line(events, "onPrimary b").get()).startsWith("onPrimary b PRIMARY SECONDARY 2 it ");
        // b's hooks time out after 1.5 s: its onPrimary hook's process is stopped
        long hookOfB = Traces.pidOf(line(events, "onPrimary b").get());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Traces.alive(hookOfB)).isFalse());
        assertThat(Files.readAllLines(events)).hasSize(4);
    }

    private static Optional<String> line(Path file, String prefix) throws Exception {
        return Traces.lines(file, prefix + " ").stream().findFirst();
    }
}
