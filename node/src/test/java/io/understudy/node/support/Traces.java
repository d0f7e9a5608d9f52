package io.understudy.node.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What test commands (hooks, applications, duties) leave behind: lines appended to a file, ending in a pid. */
public final class Traces {

    private Traces() {
    }

    /** The file's lines that start with {@code prefix}; none while the file does not exist. */
    public static List<String> lines(Path file, String prefix) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file).stream().filter(l -> l.startsWith(prefix)).toList() : List.of();
    }

    /** The last word of a line, a pid ({@code $$}). */
    public static long pidOf(String line) {
        String[] words = line.trim().split(" ");
        return Long.parseLong(words[words.length - 1]);
    }

    public static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
