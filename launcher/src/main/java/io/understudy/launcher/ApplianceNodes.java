package io.understudy.launcher;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Which nodes a data dir's appliance runs, recorded in {@code conf/appliance.properties} ({@code nodes=a,b,c}) so
 * that a restart runs the nodes added or removed while it ran. The choice between the record and {@code --nodes} is
 * pure ({@link #choose}).
 */
final class ApplianceNodes {

    static final String FILE = "appliance.properties";
    static final String KEY = "nodes";

    private ApplianceNodes() {
    }

    static Path file(Path confDir) {
        return confDir.resolve(FILE);
    }

    /**
     * The recorded node ids, or empty for a data dir that has none yet.
     *
     * @throws IllegalArgumentException naming the file and the key when the record is not a list of node ids
     */
    static Optional<List<String>> read(Path confDir) {
        Path file = file(confDir);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        String value = properties.getProperty(KEY, "").trim();
        List<String> ids = Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (ids.isEmpty() || !ApplianceConfig.allIds().containsAll(ids)) {
            throw new IllegalArgumentException(file + ": key '" + KEY + "' must list node ids among "
                    + ApplianceConfig.allIds() + ", got '" + value + "'");
        }
        return Optional.of(ids.stream().distinct().sorted().toList());
    }

    static void write(Path confDir, List<String> ids) {
        ChildConfigs.write(file(confDir), "nodes of this appliance, kept by the local appliance as nodes are added or removed",
                Map.of(KEY, String.join(",", ids)));
    }

    /**
     * The nodes to run: what the data dir records, grown to {@code requested} with the first free ids; a new data dir
     * gets the first {@code requested} ids (default {@link ApplianceConfig#DEFAULT_NODES}).
     *
     * @param requested {@code --nodes}, or null when not given
     * @throws IllegalArgumentException when {@code requested} is out of range or would leave out recorded nodes
     */
    static List<String> choose(Integer requested, Optional<List<String>> recorded) {
        if (recorded.isEmpty()) {
            return ApplianceConfig.firstIds(requested == null ? ApplianceConfig.DEFAULT_NODES : requested);
        }
        List<String> ids = new ArrayList<>(recorded.get());
        if (requested == null || requested == ids.size()) {
            return List.copyOf(ids);
        }
        ApplianceConfig.firstIds(requested); // range check, with the option's name
        if (requested < ids.size()) {
            throw new IllegalArgumentException("--nodes " + requested + " would leave out nodes of this data dir, which runs "
                    + ids.size() + " (" + String.join(", ", ids) + "); remove a node from the running appliance with"
                    + " 'understudy local remove-node ID', or start without --nodes");
        }
        while (ids.size() < requested) {
            ids.add(nextFreeId(ids));
        }
        return ids.stream().sorted().toList();
    }

    /** The first id (a..i) not in {@code ids}. @throws IllegalArgumentException when all nine are taken */
    static String nextFreeId(List<String> ids) {
        return ApplianceConfig.allIds().stream().filter(id -> !ids.contains(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("the local appliance runs at most " + ApplianceConfig.MAX_NODES
                        + " nodes"));
    }
}
