package io.understudy.replicator.apply;

/**
 * A change cannot be applied faithfully (no primary key, unknown column or type, missing row). Fatal for the
 * stream: the local transaction is rolled back and replication stops rather than diverging silently.
 */
public final class ApplyException extends RuntimeException {

    public ApplyException(String message) {
        super(message);
    }

    public ApplyException(String message, Throwable cause) {
        super(message, cause);
    }
}
