package io.understudy.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.understudy.cluster.zk.SessionFile;
import io.understudy.node.Node;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The post-stop step a service manager runs: {@code understudy session close --config node.properties}. */
class SessionCommandIT {

    /** Far longer than the test waits: a member znode that disappears was removed by the close, not by expiry. */
    private static final int SESSION_MS = 60_000;

    @TempDir
    Path dir;
    private TestingServer server;
    private ZooKeeper deadNode;
    private ZooKeeper observer;
    private final StringWriter out = new StringWriter();

    @BeforeEach
    void start() throws Exception {
        server = new TestingServer(true);
        deadNode = connect();
        observer = connect();
    }

    @AfterEach
    void stop() throws Exception {
        deadNode.close();
        observer.close();
        server.close();
    }

    @Test
    void shouldEndTheSessionTheNodeRecordedInItsDataDir() throws Exception {
        deadNode.create("/member-a", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        Path dataDir = dir.resolve("node-a");
        SessionFile.write(dataDir.resolve(Node.SESSION_FILE),
                new SessionFile.Credentials(deadNode.getSessionId(), deadNode.getSessionPasswd()));

        assertThat(run("session", "close", "--config", nodeConfig(dataDir).toString())).isZero();

        await().atMost(Duration.ofSeconds(10)).until(() -> observer.exists("/member-a", false) == null);
        assertThat(out.toString()).contains("closed the ZooKeeper session of stopped node a");
        assertThat(dataDir.resolve(Node.SESSION_FILE)).doesNotExist();
    }

    @Test
    void shouldSucceedWhenNothingIsRecorded() throws Exception {
        assertThat(run("session", "close", "--config", nodeConfig(dir.resolve("node-a")).toString())).isZero();
        assertThat(out.toString()).contains("no open ZooKeeper session recorded for node a");
    }

    @Test
    void shouldNameTheKeyOfABadConfig() throws Exception {
        Path config = dir.resolve("node.properties");
        Files.writeString(config, "node.id=a\nzookeeper.connect=" + server.getConnectString() + "\n");
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new UnderstudyCli());
        cli.setErr(new PrintWriter(err));

        assertThat(cli.execute("session", "close", "--config", config.toString())).isEqualTo(MainDelegate.CONFIG_ERROR);
        assertThat(err.toString()).contains(config.toString(), "db.url");
    }

    private int run(String... args) {
        CommandLine cli = new CommandLine(new UnderstudyCli());
        cli.setOut(new PrintWriter(out));
        return cli.execute(args);
    }

    private Path nodeConfig(Path dataDir) throws Exception {
        Path config = dir.resolve("node.properties");
        Files.writeString(config, String.join("\n", "node.id=a", "zookeeper.connect=" + server.getConnectString(),
                "db.url=jdbc:postgresql://127.0.0.1:5432/understudy", "data.dir=" + dataDir, ""));
        return config;
    }

    private ZooKeeper connect() throws Exception {
        ZooKeeper zk = new ZooKeeper(server.getConnectString(), SESSION_MS, event -> { });
        await().atMost(Duration.ofSeconds(10)).until(() -> zk.getState() == ZooKeeper.States.CONNECTED);
        return zk;
    }
}
