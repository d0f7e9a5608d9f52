package io.understudy.node.appfiles;

/**
 * Pure: what the primary does with one path of the files directory. A file is captured once its size or
 * modification time differ from the captured version and it has been quiet (no change seen, mtime not newer) for
 * the quiet period, so a file still being written is not captured over and over; a flush captures at once, and a
 * file that never stays quiet is captured anyway after {@code maxWaitMs}. Size and mtime decide "changed", as
 * rsync does: a rewrite that keeps both is not seen.
 */
public final class CaptureRules {

    private CaptureRules() {
    }

    /** The live captured version of a path: what the table says the directory holds. */
    public record Known(long size, long mtimeMs) {
    }

    /** What to do with the path now. */
    public sealed interface Verdict {
    }

    /** Nothing to do: the file is as captured, or absent and not captured. */
    public record Unchanged() implements Verdict {
    }

    /** Changed but not yet quiet: look again at {@code atMs}. */
    public record Wait(long atMs) implements Verdict {
    }

    /** Read the file and capture it as a new version. */
    public record Capture() implements Verdict {
    }

    /** The captured file is gone (or replaced by something that is not a file): capture its deletion. */
    public record Delete() implements Verdict {
    }

    /** Not a regular file and never captured: skipped, with a warning once. */
    public record Unsupported(DiskState.Kind kind) implements Verdict {
    }

    /**
     * @param known        the path's live captured version, or null if none (never captured, or deleted)
     * @param disk         what the path holds now
     * @param flush        a flush asked for it: every pending change is captured now, quiet or not
     * @param nowMs        the wall clock (the same clock file times use)
     * @param lastEventMs  when a change of the path was last seen (0 if only a scan found it)
     * @param firstSeenMs  when the change was first seen and not yet captured (0 if just now)
     * @param quietMs      the quiet period
     * @param maxWaitMs    how long a change may wait for quiet before it is captured anyway
     */
    public static Verdict decide(Known known, DiskState disk, boolean flush, long nowMs, long lastEventMs, long firstSeenMs,
                                 long quietMs, long maxWaitMs) {
        if (disk instanceof DiskState.Absent) {
            return known == null ? new Unchanged() : new Delete();
        }
        if (disk instanceof DiskState.Other other) {
            return known == null ? new Unsupported(other.kind()) : new Delete();
        }
        DiskState.File file = (DiskState.File) disk;
        if (known != null && known.size() == file.size() && known.mtimeMs() == file.mtimeMs()) {
            return new Unchanged();
        }
        if (flush || firstSeenMs > 0 && nowMs - firstSeenMs >= maxWaitMs) {
            return new Capture();
        }
        // A modification time in the future (a skewed clock, an extracted archive) says nothing about quiet.
        long changedAt = Math.max(lastEventMs, file.mtimeMs() <= nowMs ? file.mtimeMs() : 0);
        long quietAt = changedAt + quietMs;
        return nowMs >= quietAt ? new Capture() : new Wait(quietAt);
    }

    /**
     * Whether a full scan may capture the deletion of files it did not find. A directory found empty while files are
     * recorded is far more likely unmounted or replaced than emptied by the application, and capturing that would
     * empty every secondary: such a scan captures no deletion (single deletions seen as events are not affected).
     */
    public static boolean scanMayDelete(long filesFound, long filesRecorded) {
        return filesFound > 0 || filesRecorded == 0;
    }
}
