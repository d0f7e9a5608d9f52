package io.understudy.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The local appliance's admin bearer token for the switch's {@code /_understudy/} actions: made
 * once, kept in {@code <data>/conf/admin-token} (owner-only), so a restart keeps it.
 */
public final class AdminToken {

    public static final String FILE = "admin-token";

    private AdminToken() {
    }

    static Path file(ApplianceConfig config) {
        return config.confDir().resolve(FILE);
    }

    static String loadOrCreate(ApplianceConfig config) {
        Path file = file(config);
        try {
            if (Files.exists(file)) {
                String token = Files.readString(file, StandardCharsets.UTF_8).trim();
                if (!token.isEmpty()) {
                    return token;
                }
            }
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            Files.createDirectories(file.getParent());
            Files.writeString(file, token + "\n", StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            return token;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the admin token " + file, e);
        }
    }
}
