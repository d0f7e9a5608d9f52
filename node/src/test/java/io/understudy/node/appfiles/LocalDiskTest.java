package io.understudy.node.appfiles;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link LocalDisk#walk} on a real directory: what a node killed mid-write or mid-flush left behind goes. */
class LocalDiskTest {

    @TempDir
    Path root;

    @Test
    void aWalkRemovesTheTempFilesAndFlushMarkersACrashLeftAndReportsOnlyTheApplicationsFiles() throws Exception {
        Files.createDirectories(root.resolve("reports"));
        Files.writeString(root.resolve("reports/q3.pdf"), "whole");
        Files.writeString(root.resolve("reports/" + LocalDisk.TEMP_PREFIX + "1a2b"), "half");
        Files.createFile(root.resolve(LocalDisk.FLUSH_MARKER_PREFIX + "177"));

        List<String> seen = new ArrayList<>();
        new LocalDisk(root).walk((path, state) -> seen.add(path));

        assertThat(seen).containsExactly("reports/q3.pdf");
        try (Stream<Path> left = Files.walk(root)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(name -> name.startsWith(LocalDisk.INTERNAL_PREFIX));
        }
    }
}
