package io.understudy.launcher.importer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.UUID;
import java.util.function.BiConsumer;

/**
 * Copies the standalone installation's files into the primary's {@code app.filesDir}, where the primary node
 * captures them into the replicated tables like any file its application writes. Each file is written under a
 * {@code .understudy-} name (which the capture ignores) with its mtime and permission bits, then renamed into place,
 * so the capture never reads half a file.
 */
final class FileImport {

    private FileImport() {
    }

    /**
     * @param progress called after each file with the files and bytes copied so far
     * @return the files copied, relative to {@code target}, in order
     * @throws IOException when a file cannot be copied; those copied before are in the returned list of the
     *         exception's {@link PartialCopy}
     */
    static List<Path> copy(Path source, Path target, BiConsumer<Long, Long> progress) throws IOException {
        List<Path> files = Census.regularFiles(source);
        java.util.ArrayList<Path> copied = new java.util.ArrayList<>();
        long bytes = 0;
        for (Path file : files) {
            Path rel = source.relativize(file);
            Path to = target.resolve(rel.toString());
            try {
                Files.createDirectories(to.getParent());
                Path temp = to.resolveSibling(".understudy-import-" + UUID.randomUUID());
                Files.copy(file, temp, StandardCopyOption.COPY_ATTRIBUTES);
                Files.move(temp, to, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new PartialCopy("cannot copy " + file + " to " + to + ": " + e.getMessage(), copied);
            }
            copied.add(rel);
            bytes += Files.size(to);
            progress.accept((long) copied.size(), bytes);
        }
        return copied;
    }

    /** Removes the files the import copied, after a failed import. */
    static void remove(Path target, List<Path> copied) throws IOException {
        for (Path rel : copied) {
            Files.deleteIfExists(target.resolve(rel.toString()));
        }
    }

    /** A copy that stopped part-way; {@link #copied} says what is already in the target. */
    static final class PartialCopy extends IOException {
        private final transient List<Path> copied;

        PartialCopy(String message, List<Path> copied) {
            super(message);
            this.copied = List.copyOf(copied);
        }

        List<Path> copied() {
            return copied;
        }
    }
}
