package io.understudy.launcher.cli.drill;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The drill's requests per time slice as an inline SVG: stacked bars (succeeded, held, failed),
 * the longest write gap shaded, and vertical marks for the fault, each promotion in the cluster's
 * history and the moment writes were acknowledged again. No external resources. Pure.
 */
final class TimelineSvg {

    static final String SUCCEEDED = "#43a047";
    static final String HELD = "#fb8c00";
    static final String FAILED = "#e53935";
    private static final int WIDTH = 960;
    private static final int HEIGHT = 300;
    private static final int LEFT = 48;
    private static final int RIGHT = 12;
    private static final int TOP = 44;
    private static final int BOTTOM = 36;

    private TimelineSvg() {
    }

    /** A vertical mark at {@code atMs} with a label above the plot. */
    record Mark(long atMs, String label, String color) {
    }

    static String render(DrillReport r) {
        Timeline t = r.timeline();
        double plotW = WIDTH - LEFT - RIGHT;
        double plotH = HEIGHT - TOP - BOTTOM;
        long spanMs = Math.max(t.bucketMs(), t.buckets().size() * t.bucketMs());
        int peak = Math.max(1, t.peak());
        double barW = plotW / t.buckets().size();
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" "
                + "height=\"%d\" role=\"img\" aria-label=\"requests per %d ms\" font-family=\"sans-serif\" font-size=\"11\">%n",
                WIDTH, HEIGHT, WIDTH, HEIGHT, t.bucketMs()));
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%.1f\" fill=\"#fafafa\" "
                + "stroke=\"#ccc\"/>%n", LEFT, TOP, plotW, plotH));
        Figures f = r.figures();
        double gapX = x(f.rtoFromMs(), spanMs, plotW);
        svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%.1f\" fill=\"#ffebee\">"
                + "<title>longest write gap: %d ms</title></rect>%n", gapX, TOP,
                Math.max(1, x(f.rtoToMs(), spanMs, plotW) - gapX), plotH, f.rtoMs()));
        for (int i = 0; i < t.buckets().size(); i++) {
            Timeline.Bucket b = t.buckets().get(i);
            double bx = LEFT + i * barW;
            double y = TOP + plotH;
            int[] counts = {b.succeeded(), b.held(), b.failed()};
            String[] colors = {SUCCEEDED, HELD, FAILED};
            for (int k = 0; k < 3; k++) {
                if (counts[k] > 0) {
                    double h = plotH * counts[k] / peak;
                    y -= h;
                    svg.append(String.format(Locale.ROOT, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\">"
                            + "<title>t=%.1f s: %d succeeded, %d held, %d failed</title></rect>%n", bx, y, Math.max(0.5, barW),
                            h, colors[k], b.startMs() / 1000.0, b.succeeded(), b.held(), b.failed()));
                }
            }
        }
        List<Mark> marks = marks(r);
        for (int i = 0; i < marks.size(); i++) {
            Mark m = marks.get(i);
            double mx = x(m.atMs(), spanMs, plotW);
            int labelY = TOP - 30 + (i % 3) * 11;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                    + "stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>%n", mx, labelY + 2, mx, TOP + plotH, m.color()));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" fill=\"%s\">%s</text>%n", mx + 3, labelY,
                    m.color(), HtmlReport.escape(m.label())));
        }
        axes(svg, spanMs, peak, plotW, plotH, t.bucketMs());
        svg.append("</svg>\n");
        return svg.toString();
    }

    static List<Mark> marks(DrillReport r) {
        List<Mark> marks = new ArrayList<>();
        marks.add(new Mark(r.fault().atMs(), "fault: " + r.kind() + " " + r.fault().victim(), FAILED));
        for (DrillReport.Event e : r.events()) {
            if ("cluster".equals(e.source()) && DrillEvents.PROMOTIONS.contains(e.type())) {
                marks.add(new Mark(e.atMs(), "promoted " + e.nodeId() + "@" + e.epoch(), "#1e88e5"));
            }
        }
        if (r.fault().writesFlowAtMs() != null) {
            marks.add(new Mark(r.fault().writesFlowAtMs(), "writes acknowledged again", "#2e7d32"));
        }
        if (r.fault().releasedAtMs() != null) {
            marks.add(new Mark(r.fault().releasedAtMs(), "SIGCONT", "#6d4c41"));
        }
        return marks;
    }

    private static void axes(StringBuilder svg, long spanMs, int peak, double plotW, double plotH, long bucketMs) {
        long step = spanMs <= 20_000 ? 2_000 : spanMs <= 60_000 ? 5_000 : spanMs <= 180_000 ? 15_000 : 60_000;
        for (long at = 0; at <= spanMs; at += step) {
            double tx = x(at, spanMs, plotW);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\"/>"
                    + "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%d s</text>%n", tx, TOP + plotH, tx, TOP + plotH + 4,
                    tx, TOP + plotH + 16, at / 1000));
        }
        for (int v : new int[] {0, (peak + 1) / 2, peak}) {
            double ty = TOP + plotH - plotH * v / peak;
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d</text>%n", LEFT - 6,
                    ty + 4, v));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#555\">requests per %d ms, by when their answer"
                + " came:</text>%n", LEFT, HEIGHT - 6, bucketMs));
        int lx = LEFT + 300;
        String[][] legend = {{SUCCEEDED, "succeeded"}, {HELD, "held (succeeded slowly)"}, {FAILED, "failed"}};
        for (String[] item : legend) {
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>%n", lx, HEIGHT - 15, item[0], lx + 14, HEIGHT - 6, item[1]));
            lx += 30 + item[1].length() * 6;
        }
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"#ffebee\" "
                + "stroke=\"#e57373\"/><text x=\"%d\" y=\"%d\">longest write gap (RTO)</text>%n", lx, HEIGHT - 15, lx + 14,
                HEIGHT - 6));
    }

    private static double x(long atMs, long spanMs, double plotW) {
        return LEFT + plotW * Math.max(0, Math.min(atMs, spanMs)) / spanMs;
    }
}
