package io.understudy.chaos.mediawiki;

import io.understudy.launcher.ApplianceConfig;
import io.understudy.launcher.LocalAppliance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * One MediaWiki on the local appliance, set up as an operator would on two hosts: each node runs its own PHP server
 * ({@code app.command}, on every node) behind its gateway ({@code app.url}), on its own PostgreSQL, with its own
 * uploads directory ({@code app.filesDir}); the database schema {@code mediawiki} is replicated
 * ({@code replication.include}) and the wiki's role is fenced where the node is not primary ({@code app.dbUser}).
 *
 * <p>Layout under {@code dir}: {@code LocalSettings.php} is what the installer wrote (the same on every node: secret
 * keys, database name and role, {@code $wgServer} = the switch); {@code <node>/LocalSettings.php} includes it and
 * sets what differs per host (database port, uploads and cache directories); {@code <node>/images} is the uploads
 * directory, {@code <node>/cache} the localisation cache.
 */
public final class WikiSite {

    public static final String DB_ROLE = "wikiuser";
    public static final String SCHEMA = "mediawiki";
    public static final String ADMIN = "Admin";
    public static final String ADMIN_PASSWORD = "understudy-wiki-admin";
    /** The extension the upgrade enables: it brings four tables with sequences and indexes of its own. */
    public static final String UPGRADE_EXTENSION = "AbuseFilter";
    private static final String DB_PASSWORD = "understudy-wiki-db";
    private static final int PHP_WORKERS = 4;
    private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(5);

    private final MediaWikiPackage pkg;
    private final ApplianceConfig config;
    private final Path dir;
    private final Map<String, Integer> phpPorts = new LinkedHashMap<>();
    private final Map<String, Integer> gatewayPorts = new LinkedHashMap<>();

    /** @param freePort hands out a free loopback port per call */
    public WikiSite(MediaWikiPackage pkg, ApplianceConfig config, Path dir, IntSupplier freePort) {
        this.pkg = pkg;
        this.config = config;
        this.dir = dir.toAbsolutePath().normalize();
        for (String id : config.nodeIds()) {
            phpPorts.put(id, freePort.getAsInt());
            gatewayPorts.put(id, freePort.getAsInt());
        }
    }

    /** The node settings that put each node's wiki behind it; call before {@link LocalAppliance#start}. */
    public LocalAppliance configure(LocalAppliance appliance) {
        appliance.nodeSetting("app.runOn", "all")
                .nodeSetting("app.dbUser", DB_ROLE)
                .nodeSetting("replication.include", SCHEMA + ".*");
        for (String id : config.nodeIds()) {
            appliance.nodeSetting(id, "app.url", phpUrl(id))
                    .nodeSetting(id, "app.gatewayPort", Integer.toString(gatewayPorts.get(id)))
                    .nodeSetting(id, "app.filesDir", filesDir(id).toString())
                    .nodeSetting(id, "app.command", phpServerCommand(id));
        }
        return appliance;
    }

    /** {@code exec}: the node supervises PHP itself, not a shell around it. */
    private String phpServerCommand(String nodeId) {
        return "exec env MW_CONFIG_FILE=" + quote(nodeSettingsFile(nodeId)) + " PHP_CLI_SERVER_WORKERS=" + PHP_WORKERS
                + " " + quote(pkg.php()) + " -d opcache.enable_cli=1 -S " + ApplianceConfig.HOST + ":" + phpPorts.get(nodeId)
                + " -t " + quote(pkg.home());
    }

    /** Each node's directories and settings file; the file includes the installer's, which {@link #install} writes. */
    public void prepare() throws IOException {
        for (String id : config.nodeIds()) {
            Files.createDirectories(filesDir(id));
            Files.createDirectories(dir.resolve(id).resolve("cache"));
            Files.writeString(nodeSettingsFile(id), nodeSettings(id), StandardCharsets.UTF_8);
        }
    }

    private String nodeSettings(String nodeId) {
        return "<?php\n"
                + "// The wiki on node " + nodeId + ": the installer's settings, shared by every node, then this host's own.\n"
                + "require __DIR__ . '/../LocalSettings.php';\n"
                + "$wgDBserver = " + phpString(ApplianceConfig.HOST) + ";\n"
                + "$wgDBport = " + phpString(Integer.toString(config.pgPort(nodeId))) + ";\n"
                + "$wgUploadDirectory = " + phpString(filesDir(nodeId).toString()) + ";\n"
                + "// uploads are served by PHP from the node's own directory, through the switch like every page\n"
                + "$wgUploadPath = \"$wgScriptPath/img_auth.php\";\n"
                + "$wgCacheDirectory = __DIR__ . '/cache';\n"
                + "$wgEnableUploads = true;\n"
                + "$wgUseImageMagick = false;\n"
                + "$wgFileExtensions[] = 'txt';\n";
    }

    /** The wiki's role in node {@code nodeId}'s PostgreSQL: roles are per server, never replicated. */
    public void createRole(String nodeId) throws SQLException {
        try (Connection c = connect(nodeId); Statement st = c.createStatement()) {
            st.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + DB_ROLE + "') THEN"
                    + " CREATE ROLE " + DB_ROLE + " LOGIN PASSWORD '" + DB_PASSWORD + "'; END IF; END $$");
        }
    }

    /**
     * MediaWiki's own installer against the primary's database: schema {@code mediawiki} owned by the wiki's role, its
     * tables, the administrator and the main page. The secondary receives all of it by replication.
     */
    public void install(String primaryId, String switchUrl) {
        List<String> args = new ArrayList<>(List.of(pkg.script("install.php").toString(),
                "--dbtype=postgres", "--dbserver=" + ApplianceConfig.HOST, "--dbport=" + config.pgPort(primaryId),
                "--dbname=postgres", "--dbschema=" + SCHEMA, "--dbuser=" + DB_ROLE, "--dbpass=" + DB_PASSWORD,
                "--installdbuser=postgres", "--installdbpass=", "--server=" + switchUrl, "--scriptpath=",
                "--pass=" + ADMIN_PASSWORD, "--confpath=" + dir, "--skins=Vector", "Understudy Wiki", ADMIN));
        php(args, Map.of(), dir.resolve("install.log"));
        if (!Files.isRegularFile(dir.resolve("LocalSettings.php"))) {
            throw new IllegalStateException("MediaWiki's installer wrote no LocalSettings.php; see " + dir.resolve("install.log"));
        }
    }

    /** Builds node {@code nodeId}'s localisation cache, as a deployment does on each host before it serves. */
    public void warmCache(String nodeId) {
        php(List.of(pkg.script("rebuildLocalisationCache.php").toString(), "--lang=en"),
                Map.of("MW_CONFIG_FILE", nodeSettingsFile(nodeId).toString()), dir.resolve(nodeId).resolve("cache.log"));
    }

    /**
     * The upgrade: the shared settings enable {@link #UPGRADE_EXTENSION} (both nodes read them on their next
     * request), then MediaWiki's updater runs against the primary's database: new tables, sequences and indexes,
     * columns changed in type and default, indexes renamed.
     */
    public void upgrade(String primaryId) throws IOException {
        Files.writeString(dir.resolve("LocalSettings.php"), "\nwfLoadExtension( " + phpString(UPGRADE_EXTENSION) + ", "
                + phpString(pkg.extension(UPGRADE_EXTENSION).toString()) + " );\n", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
        php(List.of(pkg.script("update.php").toString(), "--quick"),
                Map.of("MW_CONFIG_FILE", nodeSettingsFile(primaryId).toString()), dir.resolve("update.log"));
    }

    private void php(List<String> args, Map<String, String> env, Path log) {
        List<String> command = new ArrayList<>();
        command.add(pkg.php().toString());
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).directory(pkg.home().toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().remove("MW_CONFIG_FILE");
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            if (!p.waitFor(SCRIPT_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(args.get(0) + " still running after " + SCRIPT_TIMEOUT + "; see " + log);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(args.get(0) + " exited with " + p.exitValue() + "; see " + log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + args.get(0), e);
        }
    }

    /** Node {@code nodeId}'s own database as its superuser, for setting up and reading back. */
    public Connection connect(String nodeId) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + ApplianceConfig.HOST + ":" + config.pgPort(nodeId)
                + "/postgres", "postgres", "");
    }

    /** Node {@code nodeId}'s uploads directory ({@code app.filesDir}). */
    public Path filesDir(String nodeId) {
        return dir.resolve(nodeId).resolve("images");
    }

    public Path nodeSettingsFile(String nodeId) {
        return dir.resolve(nodeId).resolve("LocalSettings.php");
    }

    /** Node {@code nodeId}'s PHP server itself, bypassing its gateway. */
    public String phpUrl(String nodeId) {
        return "http://" + ApplianceConfig.HOST + ":" + phpPorts.get(nodeId);
    }

    public String gatewayUrl(String nodeId) {
        return "http://" + ApplianceConfig.HOST + ":" + gatewayPorts.get(nodeId);
    }

    private static String phpString(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private static String quote(Object path) {
        return "'" + path.toString().replace("'", "'\\''") + "'";
    }
}
