package io.understudy.launcher.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table in the style operators know from {@code patronictl list}: a title set into
 * the top border, one header row, one row per item, columns as wide as their widest cell. Pure.
 */
public final class Table {

    private final String title;
    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    public Table(String title, String... headers) {
        this.title = title;
        this.headers = List.of(headers);
    }

    /** Adds a row; null cells print empty; missing cells at the end print empty. */
    public Table row(Object... cells) {
        if (cells.length > headers.size()) {
            throw new IllegalArgumentException(cells.length + " cells for " + headers.size() + " columns");
        }
        List<String> row = new ArrayList<>();
        for (int i = 0; i < headers.size(); i++) {
            row.add(i < cells.length && cells[i] != null ? cells[i].toString() : "");
        }
        rows.add(row);
        return this;
    }

    public String render() {
        int[] widths = new int[headers.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = headers.get(i).length();
            for (List<String> row : rows) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        String rule = rule(widths);
        StringBuilder out = new StringBuilder();
        out.append(titled(rule)).append('\n');
        out.append(line(headers, widths)).append('\n');
        out.append(rule).append('\n');
        for (List<String> row : rows) {
            out.append(line(row, widths)).append('\n');
        }
        out.append(rule).append('\n');
        return out.toString();
    }

    /** {@code + Title: ---+------+}: the title replaces the start of the top border when it fits. */
    private String titled(String rule) {
        if (title == null || title.isEmpty()) {
            return rule;
        }
        String label = "+ " + title + " ";
        return label.length() < rule.length() ? label + rule.substring(label.length()) : label + "+";
    }

    private static String rule(int[] widths) {
        StringBuilder out = new StringBuilder("+");
        for (int width : widths) {
            out.append("-".repeat(width + 2)).append('+');
        }
        return out.toString();
    }

    private static String line(List<String> cells, int[] widths) {
        StringBuilder out = new StringBuilder("|");
        for (int i = 0; i < widths.length; i++) {
            out.append(' ').append(cells.get(i)).append(" ".repeat(widths[i] - cells.get(i).length())).append(" |");
        }
        return out.toString();
    }
}
