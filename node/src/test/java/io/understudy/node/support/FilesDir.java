package io.understudy.node.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/** Files directories in tests: seeded content, and what a directory holds as {@code relative path → SHA-256}. */
public final class FilesDir {

    private FilesDir() {
    }

    /** Every regular file under {@code dir} (Understudy's internal files included), relative path → SHA-256. */
    public static Map<String, String> contents(Path dir) {
        Map<String, String> out = new TreeMap<>();
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    if (attrs.isRegularFile()) {
                        try {
                            out.put(dir.relativize(file).toString(), sha256(file));
                        } catch (java.nio.file.NoSuchFileException e) {
                            // went away while we looked
                        }
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Names under {@code dir} that are Understudy's own (temp files, markers): none may stay behind. */
    public static List<String> internalFiles(Path dir) {
        List<String> out = new ArrayList<>();
        contents(dir).keySet().stream().filter(p -> p.contains(".understudy-")).forEach(out::add);
        return out;
    }

    /** Writes {@code size} seeded pseudo-random bytes to {@code file} in 1 MiB pieces (never whole in memory). */
    public static void writeRandom(Path file, long seed, long size) {
        try {
            Files.createDirectories(file.getParent());
            Random random = new Random(seed);
            byte[] piece = new byte[1 << 20];
            try (OutputStream out = Files.newOutputStream(file)) {
                for (long left = size; left > 0; left -= piece.length) {
                    random.nextBytes(piece);
                    out.write(piece, 0, (int) Math.min(piece.length, left));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String sha256(Path file) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                sha.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
