package io.understudy.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.understudy.cluster.ClusterJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A JSON-lines log as the tests read it, while or after its process writes it. */
final class JsonLines {

    private JsonLines() {
    }

    /** Every line of {@code log}, each of which must be one JSON object. */
    static List<JsonNode> all(Path log) throws IOException {
        return parse(log, Files.readAllLines(log, StandardCharsets.UTF_8));
    }

    /**
     * The lines a running process has finished writing to {@code log}, each of which must be one JSON object: a read
     * can land in the middle of a write, and the part of a line written so far is not JSON yet.
     */
    static List<JsonNode> finished(Path log) throws IOException {
        byte[] written = Files.readAllBytes(log);
        int end = written.length;
        while (end > 0 && written[end - 1] != '\n') {
            end--;
        }
        return parse(log, new String(written, 0, end, StandardCharsets.UTF_8).lines().toList());
    }

    private static List<JsonNode> parse(Path log, List<String> text) {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : text) {
            JsonNode json;
            try {
                json = ClusterJson.MAPPER.readTree(line);
            } catch (IOException e) {
                throw new AssertionError(log + " has a line that is not JSON: " + line, e);
            }
            assertThat(json.isObject()).as("%s: %s", log, line).isTrue();
            lines.add(json);
        }
        return lines;
    }
}
