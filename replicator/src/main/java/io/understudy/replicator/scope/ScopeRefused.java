package io.understudy.replicator.scope;

/** Tables in scope cannot be replicated under the configured rules; the message names each of them. Fatal. */
public final class ScopeRefused extends RuntimeException {

    private final transient Resolution.Refused refused;

    public ScopeRefused(Resolution.Refused refused) {
        super("replication scope refused: " + refused.reason());
        this.refused = refused;
    }

    /** The configuration key that decides, e.g. {@code replication.noPrimaryKey}. */
    public String key() {
        return refused.key();
    }

    public String reason() {
        return refused.reason();
    }
}
