package io.understudy.replicator.scope;

/**
 * The advisory locks by which the capture trigger, a secondary setting up its publication and a secondary copying
 * the schema keep out of each other's way on the primary's database ({@code pg_advisory_*(NAMESPACE, id)}).
 */
public final class SourceLocks {

    /** First key of every Understudy advisory lock. */
    public static final int NAMESPACE = 0x556e6472;
    /**
     * Held exclusively by a secondary from before its schema dump until its copy of the rows is complete; every
     * captured schema change takes it shared and fails at once while a copy holds it, so the dumped schema is exactly
     * the one the copied rows and the following stream belong to.
     */
    public static final int SCHEMA_COPY = 1;
    /** Serialises changes to the publications: the capture trigger adding a new table, a secondary setting its own. */
    public static final int PUBLICATIONS = 2;

    private SourceLocks() {
    }
}
