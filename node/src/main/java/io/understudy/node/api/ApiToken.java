package io.understudy.node.api;

import io.understudy.cluster.Headers;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Who may use the node's API when it runs on a host of its own: with a token set (key {@code api.token}), writes
 * to the application API and secondaries' applied reports must carry it in {@value Headers#TOKEN}, as the switch's
 * requests do ({@code switch.nodeToken}); reads need it too only with {@code api.tokenForReads}, so a secondary's
 * own address can keep serving reads. The role endpoints, {@code /health}, {@code /metrics} and the quarantine stay
 * open. Pure: {@link #refusal} decides from plain values.
 */
public final class ApiToken {

    /** No token: everything is open (the local appliance, where everything listens on 127.0.0.1). */
    public static final ApiToken NONE = new ApiToken(null, false);

    private final byte[] token;
    private final boolean forReads;

    private ApiToken(String token, boolean forReads) {
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
        this.forReads = forReads;
    }

    /** @param token null for none */
    public static ApiToken of(String token, boolean forReads) {
        return token == null ? NONE : new ApiToken(token, forReads);
    }

    /**
     * Why {@code method path} with {@code presented} (the header's value, or null) is refused, or empty when it may
     * proceed.
     */
    public Optional<String> refusal(String method, String path, String presented) {
        if (token == null || !guarded(method, path)) {
            return Optional.empty();
        }
        if (presented == null) {
            return Optional.of(method + " " + path + " needs the cluster's " + Headers.TOKEN + " (send it through the switch)");
        }
        if (!MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8))) {
            return Optional.of("the " + Headers.TOKEN + " sent is not this cluster's");
        }
        return Optional.empty();
    }

    private boolean guarded(String method, String path) {
        if (path.equals(ReplicationEndpoints.APPLIED)) {
            return true;
        }
        boolean api = path.equals(ObjectsHandler.PREFIX) || path.startsWith(ObjectsHandler.PREFIX + "/")
                || path.startsWith(FilesHandler.PREFIX);
        boolean read = method.equals("GET") || method.equals("HEAD");
        return api && (forReads || !read);
    }
}
