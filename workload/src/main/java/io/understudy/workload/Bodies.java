package io.understudy.workload;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The content tag the checker expects for a body: the node's content-derived ETag, computed here independently. */
public final class Bodies {

    private Bodies() {
    }

    /** The first 128 bits of the SHA-256 of the body's UTF-8 bytes, hex. */
    public static String tag(String body) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
