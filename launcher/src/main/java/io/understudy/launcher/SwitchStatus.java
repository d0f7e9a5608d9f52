package io.understudy.launcher;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.understudy.cluster.ClusterJson;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The switch's {@code GET /_understudy/status} answer, reduced to what the launcher needs.
 *
 * @param primary null while the cluster has no primary
 * @param members every registered node; {@code role} is a {@code Role} name or a transitional state
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SwitchStatus(Primary primary, List<Member> members) {

    /** The {@code /primary} record; {@code live} = its node is registered and says PRIMARY in that epoch. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Primary(String nodeId, long epoch, String apiUrl, boolean live) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Member(String nodeId, String role, String apiUrl, boolean healthy, long lagMs) {
    }

    public SwitchStatus {
        members = members == null ? List.of() : List.copyOf(members);
    }

    /** @throws IllegalArgumentException when the body is not a status document */
    public static SwitchStatus parse(byte[] json) {
        return ClusterJson.fromBytes(json, SwitchStatus.class);
    }

    /** The node serving as primary now; empty while the record names a node that is not (yet) live. */
    public Optional<String> primaryNodeId() {
        return Optional.ofNullable(primary).filter(Primary::live).map(Primary::nodeId);
    }

    /** A member other than the primary that reports itself a healthy SECONDARY. */
    public Optional<Member> healthySecondary() {
        String primaryId = primaryNodeId().orElse(null);
        return members.stream()
                .filter(m -> "SECONDARY".equals(m.role()) && m.healthy() && !m.nodeId().equals(primaryId))
                .findFirst();
    }

    /** The appliance is ready when writes have somewhere to go and a copy is being kept. */
    public boolean ready() {
        return primaryNodeId().isPresent() && healthySecondary().isPresent();
    }

    public Optional<Member> member(String nodeId) {
        return members.stream().filter(m -> m.nodeId().equals(nodeId)).findFirst();
    }

    /** Node {@code nodeId} is a healthy SECONDARY: it streams a complete copy from the primary. */
    public boolean isHealthySecondary(String nodeId) {
        return !nodeId.equals(primaryNodeId().orElse(null))
                && member(nodeId).filter(m -> "SECONDARY".equals(m.role()) && m.healthy()).isPresent();
    }

    /** Every one of {@code nodeIds} serves: one of them is the live primary, every other one a healthy secondary. */
    public boolean readyWith(Collection<String> nodeIds) {
        Optional<String> primaryId = primaryNodeId();
        return primaryId.filter(nodeIds::contains).isPresent()
                && nodeIds.stream().allMatch(id -> id.equals(primaryId.get()) || isHealthySecondary(id));
    }

    /** One line for logs, e.g. {@code primary=a (epoch 1), members=[a PRIMARY healthy, b SECONDARY healthy lag 3 ms]}. */
    public String summary() {
        String primaryText = primary == null ? "none"
                : primary.nodeId() + " (epoch " + primary.epoch() + (primary.live() ? "" : ", not live") + ")";
        List<String> memberTexts = members.stream()
                .map(m -> m.nodeId() + " " + m.role() + (m.healthy() ? " healthy" : " unhealthy")
                        + (m.lagMs() >= 0 && "SECONDARY".equals(m.role()) ? " lag " + m.lagMs() + " ms" : ""))
                .toList();
        return "primary=" + primaryText + ", members=" + memberTexts;
    }
}
