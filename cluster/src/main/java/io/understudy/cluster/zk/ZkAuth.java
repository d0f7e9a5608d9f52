package io.understudy.cluster.zk;

import io.understudy.cluster.config.ConfigException;
import io.understudy.cluster.config.Settings;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.List;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;

/**
 * ZooKeeper digest credentials (key {@code zookeeper.auth} = {@code digest:<user>:<password>}): a client built with
 * {@link #applyTo} authenticates as that identity and creates every znode readable and writable by it alone, so that a
 * client without the credentials can neither read nor rewrite {@code /primary}, the members or the commands. Nodes
 * and switches of one cluster share the identity. Without the key (the local appliance) znodes stay open to all.
 *
 * <p>Znodes created before the key was set keep their open ACL; a cluster is secured from its first start.
 */
public record ZkAuth(String user, String password) {

    public static final String KEY = "zookeeper.auth";
    private static final String SCHEME = "digest";

    /** The credentials in {@link #KEY}, or null when it is unset. */
    public static ZkAuth from(Settings s) {
        String value = s.string(KEY, null);
        if (value == null) {
            return null;
        }
        String[] parts = value.split(":", 3);
        if (parts.length != 3 || !parts[0].equals(SCHEME) || parts[1].isEmpty() || parts[2].isEmpty()) {
            throw new ConfigException(s.source(), KEY, "must be digest:<user>:<password> (value not shown)");
        }
        return new ZkAuth(parts[1], parts[2]);
    }

    /** Authenticates {@code builder}'s sessions and gives every znode they create this identity's ACL only. */
    public CuratorFrameworkFactory.Builder applyTo(CuratorFrameworkFactory.Builder builder) {
        List<ACL> acl = acl();
        return builder.authorization(SCHEME, (user + ":" + password).getBytes(StandardCharsets.UTF_8))
                .aclProvider(new ACLProvider() {
                    @Override
                    public List<ACL> getDefaultAcl() {
                        return acl;
                    }

                    @Override
                    public List<ACL> getAclForPath(String path) {
                        return acl;
                    }
                });
    }

    /**
     * All permissions for this identity, none for anyone else. Not a {@code List.of}: ZooKeeper checks the list with
     * {@code contains(null)}, which an immutable list answers with a NullPointerException.
     */
    public List<ACL> acl() {
        try {
            return Collections.singletonList(new ACL(ZooDefs.Perms.ALL,
                    new Id(SCHEME, DigestAuthenticationProvider.generateDigest(user + ":" + password))));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-1, which ZooKeeper's digest scheme needs", e);
        }
    }

    @Override
    public String toString() {
        return "ZkAuth[digest:" + user + ":***]";
    }
}
