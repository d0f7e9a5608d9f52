package io.understudy.node.appfiles;

/**
 * Pure: the version numbers of captured files. A version is {@code epoch << 32 | n}, n counting from 1 within the
 * epoch. Only the primary of an epoch captures, so versions never collide across the cluster's history, and every
 * version a newer primary captures sorts after every version of the primaries before it; within an epoch one
 * capture thread allocates them in commit order. An old primary's divergent captures therefore never share a
 * version with its successor's.
 */
public final class FileVersions {

    /** Highest epoch whose versions fit a signed 64-bit number. */
    public static final long MAX_EPOCH = (1L << 31) - 1;
    private static final long SEQUENCE_MASK = 0xFFFF_FFFFL;

    private FileVersions() {
    }

    /** The lowest version of {@code epoch}, exclusive: every version of the epoch is above it. */
    public static long floor(long epoch) {
        requireEpoch(epoch);
        return epoch << 32;
    }

    /** The version after {@code highest}, the highest version already used in {@code epoch} (or its floor). */
    public static long next(long epoch, long highest) {
        long floor = floor(epoch);
        if (highest < floor || highest > (floor | SEQUENCE_MASK)) {
            throw new IllegalArgumentException("version " + highest + " is not of epoch " + epoch);
        }
        if ((highest & SEQUENCE_MASK) == SEQUENCE_MASK) {
            throw new IllegalStateException("epoch " + epoch + " has used all its " + SEQUENCE_MASK + " file versions");
        }
        return highest + 1;
    }

    public static long epochOf(long version) {
        return version >>> 32;
    }

    /** {@code epoch:n}, for logs. */
    public static String format(long version) {
        return epochOf(version) + ":" + (version & SEQUENCE_MASK);
    }

    private static void requireEpoch(long epoch) {
        if (epoch < 1 || epoch > MAX_EPOCH) {
            throw new IllegalArgumentException("epoch must be 1.." + MAX_EPOCH + ", got " + epoch);
        }
    }
}
