package io.understudy.cluster.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionFileIT {

    /** Far longer than the test waits: an ephemeral that disappears was removed by the close, not by expiry. */
    private static final int SESSION_MS = 60_000;

    @TempDir
    Path dir;
    private TestingServer server;
    private ZooKeeper owner;
    private ZooKeeper observer;

    @BeforeEach
    void start() throws Exception {
        server = new TestingServer(true);
        owner = connect();
        observer = connect();
    }

    @AfterEach
    void stop() throws Exception {
        owner.close();
        observer.close();
        server.close();
    }

    @Test
    void shouldEndTheRecordedSessionSoItsEphemeralsGoAtOnce() throws Exception {
        owner.create("/member", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        Path file = dir.resolve("zookeeper-session");
        SessionFile.write(file, new SessionFile.Credentials(owner.getSessionId(), owner.getSessionPasswd()));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");

        assertThat(SessionFile.closeDeadOwnersSession(server.getConnectString(), file, 5000)).isTrue();

        await().atMost(Duration.ofSeconds(10)).until(() -> observer.exists("/member", false) == null);
        assertThat(file).doesNotExist();
    }

    @Test
    void shouldDoNothingWithoutAFileOrForASessionThatIsGone() throws Exception {
        Path file = dir.resolve("zookeeper-session");
        assertThat(SessionFile.closeDeadOwnersSession(server.getConnectString(), file, 5000)).isFalse();

        SessionFile.write(file, new SessionFile.Credentials(owner.getSessionId(), owner.getSessionPasswd()));
        owner.close();
        assertThat(SessionFile.closeDeadOwnersSession(server.getConnectString(), file, 5000)).isFalse();
    }

    private ZooKeeper connect() throws Exception {
        ZooKeeper zk = new ZooKeeper(server.getConnectString(), SESSION_MS, event -> { });
        await().atMost(Duration.ofSeconds(10)).until(() -> zk.getState() == ZooKeeper.States.CONNECTED);
        return zk;
    }
}
