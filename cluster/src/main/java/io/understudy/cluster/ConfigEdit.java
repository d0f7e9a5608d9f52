package io.understudy.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Applies {@code KEY=VALUE} assignments to the cluster-wide settings, or refuses them all: only keys
 * in {@link ClusterSettings#SETTABLE}, each value of the key's type and in its range. Pure; the
 * caller writes the result to {@code /config} and records the changes in history. Nothing is
 * half-applied: one bad assignment refuses the whole edit.
 */
public final class ConfigEdit {

    /** The outcome of an edit. */
    public sealed interface Result permits Applied, Refused {
    }

    /** @param changes one per key whose value actually changed, in the order given */
    public record Applied(ClusterSettings next, List<Change> changes) implements Result {
    }

    /** @param key the assignment that is wrong, or null when the edit as a whole is */
    public record Refused(String key, String message) implements Result {
    }

    /** One changed setting, values as JSON text. */
    public record Change(String key, String from, String to) {
        @Override
        public String toString() {
            return key + " " + from + " -> " + to;
        }
    }

    private ConfigEdit() {
    }

    /** Every current setting by name, as JSON values, for showing. */
    public static Map<String, Object> show(ClusterSettings settings) {
        Map<String, Object> out = new LinkedHashMap<>();
        tree(settings).properties().forEach(e -> out.put(e.getKey(), ClusterJson.MAPPER.convertValue(e.getValue(), Object.class)));
        return out;
    }

    /** @param assignments key to the value as typed by the operator, in the order given */
    public static Result apply(ClusterSettings current, Map<String, String> assignments) {
        if (assignments.isEmpty()) {
            return new Refused(null, "nothing to set: give KEY=VALUE (settable: " + names() + ")");
        }
        ObjectNode tree = tree(current);
        List<Change> changes = new ArrayList<>();
        for (Map.Entry<String, String> assignment : assignments.entrySet()) {
            String name = assignment.getKey();
            Optional<ClusterSettings.Key> key = ClusterSettings.SETTABLE.stream().filter(k -> k.name().equals(name)).findFirst();
            if (key.isEmpty()) {
                String why = tree.has(name) ? name + " is not set with config set (failoverPaused: use pause and resume)"
                        : "unknown key " + name;
                return new Refused(name, why + "; settable: " + names());
            }
            JsonNode old = tree.get(name);
            JsonNode value;
            try {
                value = parse(key.get(), old, assignment.getValue().trim());
            } catch (IllegalArgumentException e) {
                return new Refused(name, name + " " + e.getMessage());
            }
            if (!value.equals(old)) {
                changes.add(new Change(name, String.valueOf(old), value.toString()));
                tree.set(name, value);
            }
        }
        try {
            return new Applied(ClusterJson.MAPPER.treeToValue(tree, ClusterSettings.class), changes);
        } catch (JsonProcessingException e) {
            return new Refused(null, "the settings do not decode: " + e.getOriginalMessage());
        }
    }

    private static JsonNode parse(ClusterSettings.Key key, JsonNode current, String text) {
        if (current != null && current.isNumber()) {
            long value;
            try {
                value = Long.parseLong(text.replace("_", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("must be a whole number, got '" + text + "'");
            }
            if (value < key.min() || value > key.max()) {
                throw new IllegalArgumentException("must be between " + key.min() + " and " + key.max() + ", got " + value);
            }
            return LongNode.valueOf(value);
        }
        if (current != null && current.isBoolean()) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "true" -> BooleanNode.TRUE;
                case "false" -> BooleanNode.FALSE;
                default -> throw new IllegalArgumentException("must be true or false, got '" + text + "'");
            };
        }
        return TextNode.valueOf(text);
    }

    private static ObjectNode tree(ClusterSettings settings) {
        return ClusterJson.MAPPER.valueToTree(settings);
    }

    private static List<String> names() {
        return ClusterSettings.SETTABLE.stream().map(ClusterSettings.Key::name).toList();
    }
}
