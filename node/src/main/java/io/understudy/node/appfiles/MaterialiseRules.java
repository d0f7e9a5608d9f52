package io.understudy.node.appfiles;

/**
 * Pure: what a secondary does with one path so that its directory matches the replicated table. The table is the
 * truth; this node's own record ({@link Local}) says what it put at the path, so that a file someone else wrote
 * there (the application on an old primary after its last capture, or a person) is quarantined rather than
 * overwritten or deleted. Whether a file is the one recorded is judged by its size and modification time, which
 * the secondary sets exactly as the primary's.
 */
public final class MaterialiseRules {

    private MaterialiseRules() {
    }

    /** A row of the replicated table: a live version or a tombstone. */
    public record Row(long version, boolean deleted, long size, long mtimeMs, String sha256) {
    }

    /** This node's record of the file it put at the path. */
    public record Local(long version, long size, long mtimeMs, String sha256) {

        boolean sameContentAs(Row row) {
            return size == row.size() && mtimeMs == row.mtimeMs() && sha256.equals(row.sha256());
        }
    }

    /** What to do. */
    public sealed interface Plan {
    }

    /** The directory already matches the table at this path (or there is nothing to do yet). */
    public record Keep() implements Plan {
    }

    /** Write the row's version (temp file, fsync, rename); if {@code quarantineFirst}, move what is there aside first. */
    public record Write(boolean quarantineFirst) implements Plan {
    }

    /**
     * The file has the row's size and mtime but no record says this node wrote it (a crash between the rename and the
     * record, or a copy made by hand): hash it; equal → record it, else quarantine and write.
     */
    public record Verify() implements Plan {
    }

    /** The file this node put there was deleted on the primary: delete it and its record. */
    public record Remove() implements Plan {
    }

    /** The recorded file is already gone: forget the record. */
    public record Forget() implements Plan {
    }

    /** A file nobody replicated is there: move it to the quarantine (and forget any record). */
    public record Quarantine() implements Plan {
    }

    /**
     * @param row           the table's row for the path, or null if it has none
     * @param local         this node's record for the path, or null
     * @param disk          what the path holds
     * @param tableComplete whether the table holds a complete copy (during a fresh copy a missing row means nothing)
     */
    public static Plan plan(Row row, Local local, DiskState disk, boolean tableComplete) {
        boolean live = row != null && !row.deleted();
        if (live) {
            if (disk instanceof DiskState.Absent) {
                return new Write(false);
            }
            if (local != null && disk.isFile(local.size(), local.mtimeMs())) {
                return local.sameContentAs(row) ? new Keep() : new Write(false);
            }
            if (disk.isFile(row.size(), row.mtimeMs())) {
                return new Verify();
            }
            return new Write(true);
        }
        if (row == null && !tableComplete) {
            return new Keep();
        }
        if (disk instanceof DiskState.Other other && other.kind() == DiskState.Kind.DIRECTORY) {
            // Directories are not replicated; the files in it are judged one by one.
            return local == null ? new Keep() : new Forget();
        }
        if (local != null) {
            if (disk instanceof DiskState.Absent) {
                return new Forget();
            }
            return disk.isFile(local.size(), local.mtimeMs()) ? new Remove() : new Quarantine();
        }
        return disk instanceof DiskState.Absent ? new Keep() : new Quarantine();
    }
}
