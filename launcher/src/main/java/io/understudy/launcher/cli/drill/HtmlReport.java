package io.understudy.launcher.cli.drill;

import java.util.List;

/** The report as one self-contained HTML page: inline CSS and SVG, no scripts, no external resources. Pure. */
final class HtmlReport {

    private static final String STYLE = """
            body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1000px;color:#222}
            h1{font-size:22px;margin-bottom:4px}h2{font-size:16px;margin-top:28px}
            .sub{color:#555;font-size:13px}.verdict{display:inline-block;padding:4px 10px;border-radius:4px;font-weight:600}
            .passed{background:#e8f5e9;color:#1b5e20}.failed{background:#ffebee;color:#b71c1c}
            table{border-collapse:collapse;font-size:13px;margin-top:6px}td,th{border:1px solid #ddd;padding:4px 8px;
            text-align:left;vertical-align:top}th{background:#f5f5f5}.headline td:first-child{font-weight:600}
            """;

    private HtmlReport() {
    }

    static String render(DrillReport r) {
        StringBuilder html = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>")
                .append(escape(ReportText.title(r))).append("</title>\n<style>").append(STYLE).append("</style></head><body>\n");
        html.append("<h1>").append(escape(ReportText.title(r))).append("</h1>\n<p class=\"sub\">")
                .append(escape(ReportText.subtitle(r))).append("</p>\n");
        html.append("<p><span class=\"verdict ").append(r.verdict().passed() ? "passed\">passed" : "failed\">failed")
                .append("</span></p>\n");
        if (!r.verdict().passed()) {
            html.append("<ul>");
            r.verdict().reasons().forEach(reason -> html.append("<li>").append(escape(reason)).append("</li>"));
            html.append("</ul>\n");
        }
        html.append("<table class=\"headline\">");
        ReportText.headline(r).forEach(row -> html.append("<tr><td>").append(escape(row.get(0))).append("</td><td>")
                .append(escape(row.get(1))).append("</td></tr>"));
        html.append("</table>\n<h2>Requests during the drill</h2>\n").append(TimelineSvg.render(r));
        for (ReportText.Section section : ReportText.sections(r)) {
            html.append("<h2>").append(escape(section.title())).append("</h2>\n");
            if (section.rows().isEmpty()) {
                html.append("<p>none</p>\n");
                continue;
            }
            html.append("<table><tr>");
            section.headers().forEach(h -> html.append("<th>").append(escape(h)).append("</th>"));
            html.append("</tr>");
            for (List<String> row : section.rows()) {
                html.append("<tr>");
                row.forEach(cell -> html.append("<td>").append(escape(cell)).append("</td>"));
                html.append("</tr>");
            }
            html.append("</table>\n");
        }
        return html.append("</body></html>\n").toString();
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
