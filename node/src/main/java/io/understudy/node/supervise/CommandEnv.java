package io.understudy.node.supervise;

import io.understudy.cluster.config.Settings;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The environment of every command the node runs (hooks, the application, duty runs): the node's own environment
 * without its {@code UNDERSTUDY_*} configuration overrides (they may hold passwords, and a command that starts
 * another Understudy process must not hand them on), plus the node's identity. Hooks and duties also get the
 * node's own database as {@code PGHOST}, {@code PGPORT}, {@code PGDATABASE}, {@code PGUSER} and
 * {@code PGPASSWORD}, so {@code pg_dump} and {@code psql} work as they are; the application does not, as it
 * connects with credentials of its own. Immutable.
 */
public final class CommandEnv {

    public static final String NODE_ID = "UNDERSTUDY_NODE_ID";
    public static final String CLUSTER = "UNDERSTUDY_CLUSTER";
    public static final String ROLE = "UNDERSTUDY_ROLE";
    public static final String PREVIOUS_ROLE = "UNDERSTUDY_PREVIOUS_ROLE";
    public static final String EPOCH = "UNDERSTUDY_EPOCH";
    public static final String EVENT = "UNDERSTUDY_EVENT";
    public static final String REASON = "UNDERSTUDY_REASON";
    public static final String DATA_DIR = "UNDERSTUDY_DATA_DIR";

    private final Map<String, String> base;
    private final Map<String, String> database;

    /**
     * @param inherited the node's environment ({@code System.getenv()})
     * @param dbUrl     {@code jdbc:postgresql://host:port/database}
     */
    public CommandEnv(Map<String, String> inherited, String nodeId, String cluster, String dataDir, String dbUrl,
                      String dbUser, String dbPassword) {
        Map<String, String> b = new LinkedHashMap<>();
        inherited.forEach((k, v) -> {
            if (!k.startsWith(Settings.ENV_PREFIX)) {
                b.put(k, v);
            }
        });
        b.put(NODE_ID, nodeId);
        b.put(CLUSTER, cluster);
        b.put(DATA_DIR, dataDir);
        this.base = Map.copyOf(b);
        URI uri = URI.create(dbUrl.substring("jdbc:".length()));
        Map<String, String> db = new LinkedHashMap<>();
        db.put("PGHOST", uri.getHost());
        db.put("PGPORT", Integer.toString(uri.getPort() < 0 ? 5432 : uri.getPort()));
        db.put("PGDATABASE", uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1));
        db.put("PGUSER", dbUser);
        if (dbPassword != null && !dbPassword.isEmpty()) {
            db.put("PGPASSWORD", dbPassword);
        }
        this.database = Map.copyOf(db);
    }

    /**
     * The environment for one command.
     *
     * @param withDatabase add the node's database as {@code PG*} variables
     * @param extra        the event's own variables ({@link #ROLE}, {@link #EPOCH}, ...), added last
     */
    public Map<String, String> forCommand(boolean withDatabase, Map<String, String> extra) {
        Map<String, String> env = new LinkedHashMap<>(base);
        if (withDatabase) {
            env.putAll(database);
        }
        env.putAll(extra);
        return env;
    }
}
