package io.understudy.node.appfiles;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link DirectoryWatch} on a real directory, with the platform's own change events. */
class DirectoryWatchTest {

    @TempDir
    Path root;

    @Test
    void aFlushSucceedsWhereAnEarlierProcessLeftAMarkerOfTheSameNumberAndLeavesNoMarkerBehind() throws Exception {
        // what a node killed between creating and removing its first flush's marker leaves for its next process
        Files.createFile(root.resolve(LocalDisk.FLUSH_MARKER_PREFIX + "1"));
        try (DirectoryWatch watch = new DirectoryWatch(new LocalDisk(root), () -> { })) {
            watch.start();
            Files.writeString(root.resolve("written-before.txt"), "x");

            assertThat(watch.awaitMarker(10_000)).isTrue();
            assertThat(watch.drainDirty()).containsKey("written-before.txt");
        }
        try (Stream<Path> left = Files.list(root)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("written-before.txt");
        }
    }
}
