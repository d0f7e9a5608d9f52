package io.understudy.launcher.importer;

import io.understudy.cluster.config.ConfigException;
import io.understudy.cluster.config.Settings;
import io.understudy.launcher.cli.CliFailure;
import io.understudy.node.NodeConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * How the import reaches one node's own database and files directory: what its properties file says
 * ({@code db.url}, {@code db.user}, {@code db.password}, {@code app.filesDir}).
 *
 * @param source the file it was read from, for messages
 */
record NodeAccess(String nodeId, String dbUrl, String user, String password, Optional<Path> filesDir, Path source) {

    /** How long opening a connection to a node's database may take. */
    private static final int CONNECT_TIMEOUT_S = 10;

    static NodeAccess of(Path file) {
        try {
            NodeConfig config = NodeConfig.from(Settings.load(file));
            return new NodeAccess(config.nodeId(), config.dbUrl(), config.dbUser(), config.dbPassword(),
                    config.appFiles().dir(), file);
        } catch (ConfigException e) {
            throw new CliFailure(2, "cannot use the node configuration " + e.getMessage());
        }
    }

    /**
     * The nodes' files: {@code explicit} when given, else every {@code node-*.properties} in the local appliance's
     * {@code <dataDir>/conf}, by node id.
     */
    static Map<String, NodeAccess> load(List<Path> explicit, Path dataDir) {
        List<Path> files = explicit;
        if (files.isEmpty()) {
            Path conf = dataDir.resolve("conf");
            if (!Files.isDirectory(conf)) {
                throw new CliFailure(2, "no --node-config given and no local appliance configuration in " + conf
                        + " (--data-dir names another one)");
            }
            try (Stream<Path> list = Files.list(conf)) {
                files = list.filter(p -> p.getFileName().toString().matches("node-.+\\.properties")).sorted().toList();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + conf, e);
            }
        }
        Map<String, NodeAccess> nodes = new LinkedHashMap<>();
        for (Path file : files) {
            NodeAccess node = of(file);
            NodeAccess earlier = nodes.put(node.nodeId(), node);
            if (earlier != null) {
                throw new CliFailure(2, "node " + node.nodeId() + " is configured twice: " + earlier.source() + " and " + file);
            }
        }
        return nodes;
    }

    Connection connect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        props.setProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_S));
        props.setProperty("ApplicationName", "understudy import");
        return DriverManager.getConnection(dbUrl, props);
    }

    /** Command-line arguments of pg_restore and psql naming this node's database. */
    List<String> libpqArgs() {
        URI uri = URI.create(dbUrl.substring("jdbc:".length()));
        String db = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
        return List.of("--host", uri.getHost(), "--port", Integer.toString(uri.getPort() < 0 ? 5432 : uri.getPort()),
                "--username", user, "--dbname", db);
    }

    Map<String, String> libpqEnv() {
        return Map.of("PGPASSWORD", password, "PGCONNECT_TIMEOUT", Integer.toString(CONNECT_TIMEOUT_S));
    }
}
