package io.understudy.node.api;

import io.understudy.cluster.PrimaryRecord;
import io.understudy.cluster.Role;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/** What the API's tests put in place of the node around it: a fixed role and epoch, and async replication. */
final class Stubs {

    private Stubs() {
    }

    /** A node that says it is {@code role} in {@code epoch}, healthy, with no primary record seen. */
    static NodeState node(String nodeId, Role role, long epoch) {
        return new NodeState() {
            @Override
            public String nodeId() {
                return nodeId;
            }

            @Override
            public Role role() {
                return role;
            }

            @Override
            public long epoch() {
                return epoch;
            }

            @Override
            public boolean healthy() {
                return true;
            }

            @Override
            public Optional<PrimaryRecord> primary() {
                return Optional.empty();
            }

            @Override
            public Map<String, Object> describe() {
                return Map.of();
            }
        };
    }

    /** Async replication: nothing to wait for. */
    static SyncHooks async() {
        return new SyncHooks() {
            @Override
            public String refuseBeforeWrite() {
                return null;
            }

            @Override
            public String awaitReplicated(BooleanSupplier stillPrimary) {
                return null;
            }

            @Override
            public void applied(String nodeId, String sourceId, long position) {
            }

            @Override
            public String metrics() {
                return "";
            }
        };
    }
}
