package io.understudy.node;

import io.understudy.cluster.config.ConfigException;
import io.understudy.cluster.config.Settings;
import io.understudy.cluster.zk.ZkAuth;
import io.understudy.node.api.ApiToken;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A node's settings for running across hosts, validated at start; all unset on the local appliance.
 *
 * @param zookeeperAuth {@code zookeeper.auth}: digest credentials; Understudy's znodes are then readable and writable
 *                      by that identity only (see {@link ZkAuth}), or null
 * @param apiToken      {@code api.token}: the shared secret the switches send ({@code switch.nodeToken}); writes, and
 *                      secondaries' applied reports, are refused without it (see {@link ApiToken}), or null
 * @param tokenForReads {@code api.tokenForReads} (default false): reads need the token too, so a secondary's own
 *                      address serves no reads to others
 */
public record NodeSecurity(ZkAuth zookeeperAuth, String apiToken, boolean tokenForReads) {

    public static final List<String> KEYS = List.of(ZkAuth.KEY, "api.token", "api.tokenForReads");
    public static final NodeSecurity NONE = new NodeSecurity(null, null, false);

    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._~+/=-]{16,512}");

    public static NodeSecurity from(Settings s) {
        String token = s.string("api.token", null);
        if (token != null && !TOKEN.matcher(token).matches()) {
            throw new ConfigException(s.source(), "api.token",
                    "must be 16-512 characters of letters, digits and ._~+/=- (value not shown)");
        }
        boolean forReads = s.bool("api.tokenForReads", false);
        if (forReads && token == null) {
            throw new ConfigException(s.source(), "api.tokenForReads", "needs api.token");
        }
        return new NodeSecurity(ZkAuth.from(s), token, forReads);
    }

    public ApiToken apiAccess() {
        return ApiToken.of(apiToken, tokenForReads);
    }

    @Override
    public String toString() {
        return "NodeSecurity[zookeeperAuth=" + zookeeperAuth + ", apiToken=" + (apiToken == null ? "none" : "set")
                + ", tokenForReads=" + tokenForReads + "]";
    }
}
