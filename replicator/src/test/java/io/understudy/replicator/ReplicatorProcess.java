package io.understudy.replicator;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A replicator in its own JVM, for crash tests: runs until killed.
 * Arguments: {@code name sourcePort targetPort offsetDir table...}.
 */
public final class ReplicatorProcess {

    private ReplicatorProcess() {
    }

    public static void main(String[] args) throws Exception {
        String name = args[0];
        int sourcePort = Integer.parseInt(args[1]);
        int targetPort = Integer.parseInt(args[2]);
        Path offsetDir = Path.of(args[3]);
        List<String> tables = Arrays.asList(args).subList(4, args.length);
        PGSimpleDataSource target = new PGSimpleDataSource();
        target.setUrl("jdbc:postgresql://127.0.0.1:" + targetPort + "/postgres");
        target.setUser("postgres");
        ReplicatorConfig config = new ReplicatorConfig(name, "a@1", "127.0.0.1", sourcePort, "postgres", "postgres", "", tables,
                offsetDir, 10, 200);
        Replicator replicator = new Replicator(config, target, ReplicationListener.NONE);
        replicator.start();
        while (!replicator.status().state().isTerminal()) {
            Thread.sleep(200); // the main thread only keeps the JVM alive; the engine thread does the work
        }
        System.exit(replicator.status().state() == State.FAILED ? 1 : 0);
    }
}
