package io.understudy.replicator.scope;

/**
 * A table as the primary's catalog describes it, as far as replicating it cares.
 *
 * @param kind            {@code pg_class.relkind}: {@code 'r'} ordinary, {@code 'p'} partitioned
 * @param partition       {@code pg_class.relispartition}
 * @param persistence     {@code pg_class.relpersistence}: {@code 'p'} permanent, {@code 'u'} unlogged
 * @param primaryKey      whether it has a primary key
 * @param replicaIdentity {@code pg_class.relreplident}: {@code 'd'} default (the primary key), {@code 'n'} nothing,
 *                        {@code 'f'} full, {@code 'i'} an index
 */
public record CatalogTable(String schema, String name, char kind, boolean partition, char persistence, boolean primaryKey,
                           char replicaIdentity) {

    /** An ordinary, permanent table with a primary key and the default replica identity. */
    public static CatalogTable plain(String schema, String name) {
        return new CatalogTable(schema, name, 'r', false, 'p', true, 'd');
    }

    /**
     * Whether PostgreSQL can publish its UPDATEs and DELETEs: a published table without one makes the application's
     * UPDATE and DELETE fail on the primary.
     */
    public boolean hasUsableIdentity() {
        return switch (replicaIdentity) {
            case 'f', 'i' -> true;
            case 'd' -> primaryKey;
            default -> false;
        };
    }

    public String qualified() {
        return schema + "." + name;
    }
}
