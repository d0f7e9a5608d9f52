package io.understudy.launcher.cli.drill;

import java.util.List;

/** The report as Markdown: headline figures, verdict, then every section as a table. Pure. */
final class MarkdownReport {

    private MarkdownReport() {
    }

    static String render(DrillReport r) {
        StringBuilder md = new StringBuilder("# ").append(ReportText.title(r)).append("\n\n");
        md.append(ReportText.subtitle(r)).append("\n\n");
        md.append(r.verdict().passed() ? "**Verdict: passed.**\n\n" : "**Verdict: failed.**\n\n");
        r.verdict().reasons().forEach(reason -> md.append("- ").append(escape(reason)).append('\n'));
        if (!r.verdict().passed()) {
            md.append('\n');
        }
        table(md, List.of("figure", "value"), r.figures() == null ? List.of() : ReportText.headline(r));
        md.append("\nThe HTML report (").append(r.name()).append(".html) charts every request per ")
                .append(r.timeline().bucketMs()).append(" ms.\n");
        for (ReportText.Section section : ReportText.sections(r)) {
            md.append("\n## ").append(section.title()).append("\n\n");
            if (section.rows().isEmpty()) {
                md.append("none\n");
            } else {
                table(md, section.headers(), section.rows());
            }
        }
        return md.toString();
    }

    private static void table(StringBuilder md, List<String> headers, List<List<String>> rows) {
        md.append("| ").append(String.join(" | ", headers)).append(" |\n");
        md.append("|").append("---|".repeat(headers.size())).append('\n');
        for (List<String> row : rows) {
            md.append("| ").append(String.join(" | ", row.stream().map(MarkdownReport::escape).toList())).append(" |\n");
        }
    }

    private static String escape(String cell) {
        return cell.replace("|", "\\|").replace("\n", " ");
    }
}
