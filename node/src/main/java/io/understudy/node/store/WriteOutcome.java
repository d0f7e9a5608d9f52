package io.understudy.node.store;

/** What a write to the store did. */
public sealed interface WriteOutcome {

    /** Stored; {@code created} when the key did not exist before. */
    record Written(String etag, long version, boolean created) implements WriteOutcome {
    }

    /** Removed. */
    record Deleted() implements WriteOutcome {
    }

    /** The If-Match / If-None-Match condition did not hold; nothing changed. */
    record PreconditionFailed(String currentEtag) implements WriteOutcome {
    }

    /** Nothing to delete. */
    record NotFound() implements WriteOutcome {
    }
}
