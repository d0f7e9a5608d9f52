package io.understudy.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.failoverswitch.SwitchConfig;
import io.understudy.node.NodeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Ansible roles mirror the node's and the switch's configuration keys one to one: every key has a variable in the
 * role's {@code defaults/main/keys.yml}, every variable there is a key, and the role's template writes each key from
 * its own variable. The keys come from the code ({@link NodeConfig#KEYS}, {@link SwitchConfig#KEYS}), so a key added
 * without its variable fails here.
 */
class AnsibleVariablesTest {

    private static final Path ROLES = Path.of("..", "ansible", "roles");
    private static final Pattern VARIABLE = Pattern.compile("^(understudy_[a-z0-9_]+):", Pattern.MULTILINE);
    private static final Pattern TEMPLATE_LINE = Pattern.compile("^([A-Za-z0-9.]+)=\\{\\{ v\\((understudy_[a-z0-9_]+)",
            Pattern.MULTILINE);

    @Test
    void shouldNameVariablesAfterKeys() {
        Map<String, String> examples = Map.of(
                "node.id", "understudy_node_node_id",
                "zookeeper.sessionTimeoutMs", "understudy_node_zookeeper_session_timeout_ms",
                "replication.maxSlotWalKeepSize", "understudy_node_replication_max_slot_wal_keep_size",
                "tags.nofailover", "understudy_node_tags_nofailover");
        examples.forEach((key, variable) -> assertThat(variable("understudy_node_", key, "")).isEqualTo(variable));
        assertThat(variable("understudy_switch_", "switch.tls.keystorePassword", "switch."))
                .isEqualTo("understudy_switch_tls_keystore_password");
        assertThat(variable("understudy_switch_", "cluster.name", "switch.")).isEqualTo("understudy_switch_cluster_name");
    }

    @Test
    void shouldGiveEveryNodeKeyAVariableAndEveryVariableAKey() throws IOException {
        assertMirrors("understudy_node", "node.properties.j2", NodeConfig.KEYS, "understudy_node_", "");
    }

    @Test
    void shouldGiveEverySwitchKeyAVariableAndEveryVariableAKey() throws IOException {
        assertMirrors("understudy_switch", "switch.properties.j2", SwitchConfig.KEYS, "understudy_switch_", "switch.");
    }

    private static void assertMirrors(String role, String template, Set<String> keys, String prefix, String strip)
            throws IOException {
        Map<String, String> expected = new TreeMap<>();
        keys.forEach(key -> expected.put(key, variable(prefix, key, strip)));

        Set<String> declared = new TreeSet<>();
        Matcher variables = VARIABLE.matcher(Files.readString(ROLES.resolve(role).resolve("defaults/main/keys.yml")));
        while (variables.find()) {
            declared.add(variables.group(1));
        }
        assertThat(declared).as("variables in roles/%s/defaults/main/keys.yml, one per key of the code", role)
                .containsExactlyInAnyOrderElementsOf(new TreeSet<>(expected.values()));

        Map<String, String> written = new TreeMap<>();
        Matcher lines = TEMPLATE_LINE.matcher(Files.readString(ROLES.resolve(role).resolve("templates").resolve(template)));
        while (lines.find()) {
            written.put(lines.group(1), lines.group(2));
        }
        assertThat(written).as("key={{ v(variable) }} lines of roles/%s/templates/%s", role, template)
                .isEqualTo(expected);
    }

    /** {@code prefix} + the key without {@code strip}, dots and camel-case humps as underscores, lower case. */
    static String variable(String prefix, String key, String strip) {
        String rest = key.startsWith(strip) ? key.substring(strip.length()) : key;
        return prefix + rest.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replace('.', '_').toLowerCase(java.util.Locale.ROOT);
    }
}
