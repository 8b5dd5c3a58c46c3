package io.vetcd.bench;

import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.Locale;

/** A self-contained HTML page: the table, and per workload the latency percentile curves of both systems as inline SVG. */
final class Report {
    private Report() {}

    static String html(Compare c, String when, String table, double minutes) {
        StringBuilder b = new StringBuilder();
        b.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>vetcd vs etcd</title><style>")
            .append("body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse}")
            .append("td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child,td:nth-child(2){text-align:left}")
            .append(".no{background:#fdd}.yes{background:#dfd}.g{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0}")
            .append("</style></head><body>");
        b.append("<h1>vetcd vs etcd</h1><p>").append(esc(when)).append(String.format(Locale.ROOT,
            " &mdash; %d round(s), alternating etcd/vetcd, medians of rounds, %d conns, %d clients; took %.1f min. Load average before: %s, after: %s.</p>", c.rounds, c.conns, c.clients, minutes, esc(c.loadBefore), esc(c.loadAfter)));
        b.append("<table><tr><th>workload</th><th>metric</th><th>etcd</th><th>vetcd</th><th>vetcd/etcd</th><th>target</th><th>met</th></tr>");
        for (String[] r : c.rows()) {
            b.append("<tr>");
            for (int i = 0; i < r.length; i++) {
                String cls = i == 6 && !r[i].isEmpty() ? " class=\"" + r[i] + "\"" : "";
                b.append("<td").append(cls).append('>').append(esc(r[i])).append("</td>");
            }
            b.append("</tr>");
        }
        b.append("</table>");
        b.append("<h2>Latency distributions (all rounds merged)</h2><p>x: percentile (log scale of 1/(1-p)); y: latency in ms (log scale). ")
            .append("<span style=\"color:#1f77b4\">&#9632; etcd</span> <span style=\"color:#ff7f0e\">&#9632; vetcd</span></p><div class=\"g\">");
        for (String w : c.results.keySet()) {
            b.append(svg(w, c.merged(w, "etcd"), c.merged(w, "vetcd"), c.status(w, "vetcd")));
        }
        b.append("</div><h2>Text table</h2><pre>").append(esc(table)).append("</pre></body></html>\n");
        return b.toString();
    }

    static String svg(String title, Histogram e, Histogram v, String vetcdStatus) {
        int W = 520, H = 300, L = 55, R = 10, T = 25, B = 40;
        double maxX = 4; // 99.99 %
        // y: latency on a log scale, from a power of ten below the fastest request to one above p99.99.
        double lo = Double.MAX_VALUE, hi = 0;
        for (Histogram h : List.of(e, v)) {
            if (h.getTotalCount() == 0) continue;
            lo = Math.min(lo, Math.max(0.001, h.getMinValue() / 1000.0));
            hi = Math.max(hi, h.getValueAtPercentile(99.99) / 1000.0);
        }
        if (hi <= 0) { lo = 0.1; hi = 1000; }
        double minY = Math.pow(10, Math.floor(Math.log10(lo)));
        double maxY = Math.pow(10, Math.ceil(Math.log10(Math.max(hi, minY * 10))));
        StringBuilder b = new StringBuilder();
        b.append("<figure><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(W).append("\" height=\"").append(H)
            .append("\" font-size=\"11\"><rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
        b.append("<text x=\"").append(W / 2).append("\" y=\"15\" text-anchor=\"middle\" font-weight=\"bold\">").append(esc(title)).append(" (latency ms, log scale)</text>");
        int pw = W - L - R, ph = H - T - B;
        b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>", L, T, pw, ph));
        String[] xl = {"0%", "90%", "99%", "99.9%", "99.99%"};
        for (int i = 0; i <= 4; i++) {
            double x = L + pw * i / maxX;
            b.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/><text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>",
                x, T, x, T + ph, x, T + ph + 14, xl[i]));
        }
        for (double yv = minY; yv <= maxY * 1.0001; yv *= 10) {
            double y = yPos(yv, minY, maxY, T, ph);
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/><text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
                L, y, L + pw, y, L - 4, y + 4, trim(yv)));
        }
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile</text>", L + pw / 2, H - 5));
        b.append(curve(e, "#1f77b4", L, T, pw, ph, maxX, minY, maxY));
        b.append(curve(v, "#ff7f0e", L, T, pw, ph, maxX, minY, maxY));
        if (v.getTotalCount() == 0) {
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#ff7f0e\">vetcd: %s</text>", L + 10, T + 20, esc(vetcdStatus)));
        }
        return b.append("</svg></figure>").toString();
    }

    private static double yPos(double v, double minY, double maxY, int T, int ph) {
        return T + ph - ph * (Math.log10(v) - Math.log10(minY)) / (Math.log10(maxY) - Math.log10(minY));
    }

    private static String curve(Histogram h, String color, int L, int T, int pw, int ph, double maxX, double minY, double maxY) {
        if (h.getTotalCount() == 0) return "";
        StringBuilder pts = new StringBuilder();
        for (double x = 0; x <= maxX + 1e-9; x += 0.02) {
            double p = 100 * (1 - Math.pow(10, -x));
            double ms = h.getValueAtPercentile(Math.min(p, 100)) / 1000.0;
            double px = L + pw * x / maxX;
            double py = yPos(Math.max(minY, Math.min(ms, maxY)), minY, maxY, T, ph);
            pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
        }
        return "<polyline fill=\"none\" stroke-width=\"2\" stroke=\"" + color + "\" points=\"" + pts.toString().trim() + "\"/>";
    }

    static String trim(double v) {
        return v >= 1 ? String.valueOf((long) Math.rint(v)) : String.valueOf(Math.rint(v * 1000) / 1000);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
