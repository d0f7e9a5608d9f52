package io.understudy.launcher;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --data-dir}, shared by {@code local} and its subcommands, which find the running appliance through it. */
final class DataDirOption {

    @Option(names = "--data-dir", defaultValue = "./data", paramLabel = "DIR",
            description = "where the appliance's state lives; a restart on the same dir keeps it (default: ${DEFAULT-VALUE})")
    Path dataDir;
}
