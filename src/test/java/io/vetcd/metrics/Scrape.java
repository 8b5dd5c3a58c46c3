package io.vetcd.metrics;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.Set;

/** A scraped /metrics page: TYPE per family, label names per family, and each sample's value by its exact series text. */
record Scrape(Map<String, String> types, Map<String, Set<String>> labelNames, Map<String, Double> samples) {
    // HTTP/1.1 as Prometheus scrapes: the JDK client's default h2c upgrade once read a 2 MiB page's text as
    // HTTP/2 frames ("Frame type(114) length(2239591) exceeds MAX_FRAME_SIZE", CI 2026-12-06)
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    static Scrape of(String endpoint) throws Exception {
        String body = HTTP.send(HttpRequest.newBuilder(URI.create(endpoint + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        return parse(body);
    }

    static Scrape parse(String text) {
        Map<String, String> types = new HashMap<>();
        Map<String, Set<String>> labels = new HashMap<>();
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                String[] p = line.split(" ");
                types.put(p[2], p[3]);
                continue;
            }
            if (line.isEmpty() || line.startsWith("#")) continue;
            int sp = line.lastIndexOf(' ');
            String series = line.substring(0, sp);
            samples.put(series, Double.parseDouble(line.substring(sp + 1)));
            int brace = series.indexOf('{');
            String name = brace < 0 ? series : series.substring(0, brace);
            String family = familyOf(name, types);
            Set<String> names = labels.computeIfAbsent(family, k -> new TreeSet<>());
            if (brace >= 0) {
                for (String pair : series.substring(brace + 1, series.length() - 1).split(",(?=[A-Za-z_]+=\")")) {
                    String ln = pair.substring(0, pair.indexOf('='));
                    if (!ln.equals("le")) names.add(ln);
                }
            }
        }
        return new Scrape(types, labels, samples);
    }

    private static String familyOf(String sample, Map<String, String> types) {
        if (types.containsKey(sample)) return sample;
        for (String suffix : new String[] {"_bucket", "_sum", "_count"}) {
            if (sample.endsWith(suffix)) {
                String f = sample.substring(0, sample.length() - suffix.length());
                if ("histogram".equals(types.get(f))) return f;
            }
        }
        return sample;
    }

    double value(String series) {
        Double v = samples.get(series);
        if (v == null) throw new AssertionError("no series " + series);
        return v;
    }
}
