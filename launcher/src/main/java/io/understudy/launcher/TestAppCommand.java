package io.understudy.launcher;

import io.understudy.launcher.testapp.TestApp;
import io.understudy.launcher.testapp.TestAppStore;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code understudy testapp}: runs the small test application in the foreground (see {@link TestApp}). */
@Command(name = "testapp", mixinStandardHelpOptions = true,
        description = "Run a small test application (rows with sequence ids in the node's PostgreSQL, files in a"
                + " directory) to put behind a node's gateway in drills and the chaos suite.")
final class TestAppCommand implements Callable<Integer> {

    @Option(names = "--name", required = true, description = "named in every answer (X-Test-App), e.g. the node's id")
    String name;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "listen address (default ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--port", required = true, description = "listen port")
    int port;

    @Option(names = "--db-url", required = true, description = "jdbc:postgresql://... of the node's own database")
    String dbUrl;

    @Option(names = "--db-user", defaultValue = "testapp", description = "the application's role (default ${DEFAULT-VALUE})")
    String dbUser;

    @Option(names = "--db-password", defaultValue = "", description = "its password (default none)")
    String dbPassword;

    @Option(names = "--provision-as", paramLabel = "SUPERUSER",
            description = "first create the role, schema and table, connected as this superuser (no password)")
    String provisionAs;

    @Option(names = "--files-dir", description = "where PUT /files/{name} keeps files (default: no /files)")
    Path filesDir;

    @Option(names = "--exit-with-parent", hidden = true, description = "exit when stdin closes")
    boolean exitWithParent;

    @Override
    public Integer call() throws Exception {
        if (exitWithParent) {
            ParentWatch.start(System.in);
        }
        if (provisionAs != null) {
            TestAppStore.provision(dbUrl, provisionAs, "", dbUser);
        }
        TestApp app = TestApp.start(name, host, port, new TestAppStore(dbUrl, dbUser, dbPassword),
                filesDir == null ? null : filesDir.toAbsolutePath().normalize());
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "testapp-stop"));
        new CountDownLatch(1).await();
        return 0;
    }
}
