package io.understudy.node.app;

import io.understudy.cluster.config.ConfigException;
import io.understudy.cluster.config.Settings;
import java.net.URI;
import java.util.List;
import java.util.regex.Pattern;

/**
 * How a node fronts the application on its host (keys {@code app.url}, {@code app.gateway*}, {@code app.dbUser},
 * {@code app.timeoutMs}, {@code app.maxBufferedBytes}), validated at start. Without {@code app.url} the node has no
 * gateway and behaves as if these keys did not exist; {@code app.dbUser} alone still fences that role.
 *
 * @param url                {@code app.url}: the application's base URL on this host, e.g. {@code http://127.0.0.1:9000};
 *                           null when the node fronts no application
 * @param gatewayHost        {@code app.gatewayHost} (default {@code api.host}): where the gateway listens
 * @param gatewayPort        {@code app.gatewayPort} (default {@code api.port} + 1000)
 * @param advertisedUrl      {@code app.gatewayAdvertisedUrl} (default {@code http://gatewayHost:gatewayPort}): what the
 *                           member and primary records publish as {@code appUrl}, where the switch sends clients; null
 *                           without an application
 * @param dbUser             {@code app.dbUser}: the application's own PostgreSQL role, made read-only whenever this node
 *                           is not primary (see {@link DbFence}); null for no fence
 * @param timeoutMs          {@code app.timeoutMs} (default 30000): the longest one request may take at the application,
 *                           from sending it to the end of the answer
 * @param maxBufferedBytes   {@code app.maxBufferedBytes} (default 8 MiB): the most the gateway holds in memory of one
 *                           body: a request carrying an {@code Idempotency-Key}, or the answer to a request that may
 *                           write (held until the write barrier passed)
 */
public record GatewaySettings(URI url, String gatewayHost, int gatewayPort, String advertisedUrl, String dbUser,
                              long timeoutMs, long maxBufferedBytes) {

    /** Keys this record reads; the node's key list includes them. */
    public static final List<String> KEYS = List.of("app.url", "app.gatewayHost", "app.gatewayPort",
            "app.gatewayAdvertisedUrl", "app.dbUser", "app.timeoutMs", "app.maxBufferedBytes");

    /** What {@code api.port} is raised by for the default gateway port. */
    public static final int PORT_OFFSET = 1000;
    private static final Pattern ROLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,62}");

    /** Whether the node fronts an application. */
    public boolean enabled() {
        return url != null;
    }

    /**
     * @param apiHost         {@code api.host}, the gateway's default host
     * @param apiPort         {@code api.port}; the gateway's default port is 1000 above it, and must differ from it
     * @param nodeRoles       the node's own database roles ({@code db.user}, {@code replication.user}): the fence must
     *                        never lock the node out of its own database
     */
    public static GatewaySettings from(Settings s, String apiHost, int apiPort, List<String> nodeRoles) {
        String dbUser = s.string("app.dbUser", null);
        if (dbUser != null && !ROLE.matcher(dbUser).matches()) {
            throw new ConfigException(s.source(), "app.dbUser", "must be a plain PostgreSQL role name (letters, digits, '_', '$'),"
                    + " got '" + dbUser + "'");
        }
        if (dbUser != null && nodeRoles.contains(dbUser)) {
            throw new ConfigException(s.source(), "app.dbUser", "must be the application's own role, not the node's ('"
                    + dbUser + "' is db.user or replication.user): fencing it would lock the node out of its database");
        }
        String url = s.string("app.url", null);
        long timeoutMs = s.longValue("app.timeoutMs", 30_000, 100, 3_600_000);
        long maxBuffered = s.longValue("app.maxBufferedBytes", 8L << 20, 1024, 1L << 30);
        if (url == null) {
            for (String key : List.of("app.gatewayHost", "app.gatewayPort", "app.gatewayAdvertisedUrl")) {
                if (s.string(key, null) != null) {
                    throw new ConfigException(s.source(), key, "is set but app.url is not: there is no application to front");
                }
            }
            return new GatewaySettings(null, null, 0, null, dbUser, timeoutMs, maxBuffered);
        }
        URI appUrl = URI.create(s.httpUrl("app.url", null));
        if (appUrl.getQuery() != null || appUrl.getFragment() != null) {
            throw new ConfigException(s.source(), "app.url", "must be a base URL without query or fragment, got '" + url + "'");
        }
        String host = s.string("app.gatewayHost", apiHost);
        int defaultPort = apiPort + PORT_OFFSET;
        if (defaultPort > 65535) {
            s.string("app.gatewayPort"); // no default above api.port: required
        }
        int port = s.port("app.gatewayPort", Math.min(defaultPort, 65535));
        if (port == apiPort) {
            throw new ConfigException(s.source(), "app.gatewayPort", "must differ from api.port (" + apiPort + ")");
        }
        String advertised = s.httpUrl("app.gatewayAdvertisedUrl", "http://" + host + ":" + port);
        return new GatewaySettings(appUrl, host, port, advertised, dbUser, timeoutMs, maxBuffered);
    }
}
