package io.understudy.node.store;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Content-derived entity tags: the same bytes give the same tag on every replica. */
public final class Etags {

    private Etags() {
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    public static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }

    /** The first 128 bits of the body's SHA-256, hex. */
    public static String of(byte[] body) {
        return hex(sha256().digest(body)).substring(0, 32);
    }
}
