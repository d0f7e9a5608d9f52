package io.understudy.chaos;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import java.util.Optional;

/**
 * The switch's status JSON as the chaos suite reads it (its own reading, independent of the
 * launcher's), reduced to what the cycle waits for.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ClusterState(Primary primary, List<Member> members) {

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Primary(String nodeId, long epoch, boolean live) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Replication(String state) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Member(String nodeId, String role, boolean healthy, Replication replication) {
        String replicationState() {
            return replication == null ? "NONE" : replication.state();
        }
    }

    public ClusterState {
        members = members == null ? List.of() : List.copyOf(members);
    }

    public Optional<String> livePrimary() {
        return Optional.ofNullable(primary).filter(Primary::live).map(Primary::nodeId);
    }

    public long epoch() {
        return primary == null ? 0 : primary.epoch();
    }

    /**
     * Every node is back: a live primary that says PRIMARY, and every other member a healthy
     * SECONDARY whose replicator streams.
     */
    public boolean settled(int expectedMembers) {
        String p = livePrimary().orElse(null);
        if (p == null || members.size() != expectedMembers) {
            return false;
        }
        for (Member m : members) {
            boolean ok = m.nodeId().equals(p)
                    ? "PRIMARY".equals(m.role()) && m.healthy()
                    : "SECONDARY".equals(m.role()) && m.healthy() && "STREAMING".equals(m.replicationState());
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    public String summary() {
        String p = primary == null ? "none" : primary.nodeId() + "@" + primary.epoch() + (primary.live() ? "" : " (not live)");
        return "primary=" + p + " members=" + members.stream()
                .map(m -> m.nodeId() + ":" + m.role() + (m.healthy() ? "" : "(unhealthy)") + "/" + m.replicationState())
                .toList();
    }
}
