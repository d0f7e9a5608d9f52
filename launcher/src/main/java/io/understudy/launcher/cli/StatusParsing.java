package io.understudy.launcher.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.understudy.cluster.ClusterJson;
import io.understudy.failoverswitch.admin.StatusReport;

/** The switch's {@code GET /_understudy/status} answer, read into the switch's own record. */
public final class StatusParsing {

    private StatusParsing() {
    }

    /** @throws CliFailure when the body is not a switch status (e.g. the address is something else) */
    public static StatusReport parse(JsonNode body) {
        try {
            return ClusterJson.MAPPER.treeToValue(body, StatusReport.class);
        } catch (Exception e) {
            throw new CliFailure("the answer is not a switch status: " + e.getMessage());
        }
    }

    /** The status from {@code client}'s switch. */
    public static StatusReport fetch(AdminClient client) {
        return parse(AdminClient.expectOk(client.get("/_understudy/status"), "status").body());
    }
}
