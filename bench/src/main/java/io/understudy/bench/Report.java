package io.understudy.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** A Markdown report: printed to stdout and saved under {@code bench/results/}. */
final class Report {

    private final String name;
    private final List<String> lines = new ArrayList<>();

    Report(String name, String title) {
        this.name = name;
        lines.add("# " + title);
        lines.add("");
        lines.add("Run " + LocalDateTime.now().withNano(0) + " on " + Runtime.getRuntime().availableProcessors()
                + " cores, Java " + System.getProperty("java.version") + ".");
        lines.add("");
    }

    Report line(String text) {
        lines.add(text);
        return this;
    }

    Report table(List<String> header, List<List<String>> rows) {
        lines.add("| " + String.join(" | ", header) + " |");
        lines.add("|" + "---|".repeat(header.size()));
        for (List<String> row : rows) {
            lines.add("| " + String.join(" | ", row) + " |");
        }
        lines.add("");
        return this;
    }

    static String ms(double value) {
        return Double.isNaN(value) ? "-" : String.format("%.1f", value);
    }

    /** Prints the report and saves it; returns the file written. */
    Path publish(PrintStream out, Path resultsDir) throws IOException {
        String text = String.join("\n", lines) + "\n";
        out.print(text);
        Files.createDirectories(resultsDir);
        Path file = resultsDir.resolve(name + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".md");
        Files.writeString(file, text);
        out.println("saved " + file);
        return file;
    }
}
