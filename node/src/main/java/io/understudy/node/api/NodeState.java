package io.understudy.node.api;

import io.understudy.cluster.PrimaryRecord;
import io.understudy.cluster.Role;
import java.util.Map;
import java.util.Optional;

/** What the HTTP layer may ask the node about itself. Implementations are thread-safe. */
public interface NodeState {

    String nodeId();

    Role role();

    long epoch();

    boolean healthy();

    /** The cluster's primary record as last seen, if any. */
    Optional<PrimaryRecord> primary();

    /** Details for {@code GET /health}. */
    Map<String, Object> describe();
}
