package io.understudy.launcher.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.understudy.cluster.ClusterJson;

/** JSON as the client commands print it with {@code --json}: indented, one document, a newline at the end. */
final class JsonText {

    private JsonText() {
    }

    static String pretty(Object value) {
        try {
            return ClusterJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot print " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }
}
