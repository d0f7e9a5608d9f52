package io.understudy.node.appfiles;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files directory as paths relative to its root ({@code a/b.png}, '/'-separated), and the file system calls the
 * capture and the materialisation share. Names that start with {@link #INTERNAL_PREFIX} are Understudy's own (temp
 * files, flush markers): never captured, and removed when left behind by a crash. Stateless and thread-safe.
 */
final class LocalDisk {

    private static final Logger log = LoggerFactory.getLogger(LocalDisk.class);
    static final String INTERNAL_PREFIX = ".understudy-";
    static final String TEMP_PREFIX = INTERNAL_PREFIX + "tmp-";
    /** A flush's marker file ({@link DirectoryWatch#awaitMarker}), removed at once; a node killed meanwhile leaves it. */
    static final String FLUSH_MARKER_PREFIX = INTERNAL_PREFIX + "flush-";

    private final Path root;

    LocalDisk(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    static boolean isInternal(Path name) {
        return name != null && name.toString().startsWith(INTERNAL_PREFIX);
    }

    /** The path of {@code relative} under the root, refusing anything that could leave it. */
    Path resolve(String relative) {
        if (relative.isEmpty() || relative.startsWith("/") || relative.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("not a relative file path: '" + relative + "'");
        }
        for (String part : relative.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new IllegalArgumentException("not a normal relative file path: '" + relative + "'");
            }
        }
        return root.resolve(relative);
    }

    /** {@code file}'s path relative to the root, or null when its name does not survive the trip through a String. */
    String relative(Path file) {
        String text = root.relativize(file).toString();
        // Names that are not valid in the platform's encoding come back different: they cannot be replicated by name.
        return root.resolve(text).equals(file) ? text : null;
    }

    /** What {@code file} is, without following a symbolic link. */
    static DiskState stat(Path file) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return DiskState.ABSENT;
        }
        if (a.isRegularFile()) {
            return DiskState.file(a.size(), a.lastModifiedTime().toMillis());
        }
        return new DiskState.Other(a.isDirectory() ? DiskState.Kind.DIRECTORY
                : a.isSymbolicLink() ? DiskState.Kind.SYMBOLIC_LINK : DiskState.Kind.SPECIAL);
    }

    /** The file's permission bits, or null where the file system has none. */
    static Integer mode(Path file) {
        try {
            Set<PosixFilePermission> perms = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                    .permissions();
            int mode = 0;
            for (PosixFilePermission p : perms) {
                mode |= 1 << (8 - p.ordinal());
            }
            return mode;
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> perms = java.util.EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission p : PosixFilePermission.values()) {
            if ((mode & (1 << (8 - p.ordinal()))) != 0) {
                perms.add(p);
            }
        }
        return perms;
    }

    /** Makes a rename or unlink in {@code dir} durable. */
    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /**
     * Visits every regular file, symbolic link and special file under the root (not following links) with its
     * relative path and state; removes Understudy's temp files and flush markers on the way (a live one of the
     * moment goes too, which its flush allows for). Unreadable directories are logged and skipped.
     */
    void walk(BiConsumer<String, DiskState> visitor) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes a) throws IOException {
                if (isInternal(file.getFileName())) {
                    String name = file.getFileName().toString();
                    boolean temp = name.startsWith(TEMP_PREFIX);
                    if ((temp || name.startsWith(FLUSH_MARKER_PREFIX)) && Files.deleteIfExists(file)) {
                        log.info("removed {} left by an interrupted {}", file, temp ? "write" : "flush");
                    }
                    return FileVisitResult.CONTINUE;
                }
                String relative = relative(file);
                if (relative == null) {
                    log.warn("skipping {}: its name is not valid in this platform's file name encoding", file);
                    return FileVisitResult.CONTINUE;
                }
                visitor.accept(relative, a.isRegularFile() ? DiskState.file(a.size(), a.lastModifiedTime().toMillis())
                        : new DiskState.Other(a.isSymbolicLink() ? DiskState.Kind.SYMBOLIC_LINK : DiskState.Kind.SPECIAL));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                if (!(e instanceof NoSuchFileException)) {
                    log.warn("cannot read {}: {}", file, e.toString());
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * Moves what is at {@code relative} (a file, a link, an empty directory) to {@code quarantineDir}, keeping its
     * relative path; an empty directory is simply removed.
     */
    void quarantine(String relative, Path quarantineDir) throws IOException {
        Path source = resolve(relative);
        if (Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.delete(source);
            } catch (DirectoryNotEmptyException e) {
                throw new IOException("a directory that is not empty is in the way of the file " + relative, e);
            }
            return;
        }
        Path target = quarantineDir.resolve(relative);
        Files.createDirectories(target.getParent());
        Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        fsyncDirectory(source.getParent());
        log.warn("quarantined {}: it is not what this node replicated there; kept as {}", source, target);
    }
}
