package io.understudy.node.appfiles;

/** What one path of the files directory holds, as a plain value (read by {@link LocalDisk#stat}). */
public sealed interface DiskState {

    /** Nothing at the path. */
    record Absent() implements DiskState {
    }

    /** A regular file; {@code mtimeMs} is its modification time in milliseconds. */
    record File(long size, long mtimeMs) implements DiskState {
    }

    /** Something that is not replicated: a directory, a symbolic link, a device, a pipe or a socket. */
    record Other(Kind kind) implements DiskState {
    }

    /** The kinds of {@link Other}. */
    enum Kind {
        DIRECTORY, SYMBOLIC_LINK, SPECIAL
    }

    DiskState ABSENT = new Absent();

    static DiskState file(long size, long mtimeMs) {
        return new File(size, mtimeMs);
    }

    /** Whether this is a regular file of exactly this size and modification time. */
    default boolean isFile(long size, long mtimeMs) {
        return this instanceof File f && f.size() == size && f.mtimeMs() == mtimeMs;
    }
}
