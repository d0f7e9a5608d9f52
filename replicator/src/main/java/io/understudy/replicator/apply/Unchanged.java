package io.understudy.replicator.apply;

/**
 * A column value the source did not send because it is an unchanged TOASTed value. It must never overwrite the
 * target's copy: the column is left out of the statement.
 */
public enum Unchanged {
    /** The value was not in the change event (Debezium's "unavailable value" placeholder). */
    TOAST
}
