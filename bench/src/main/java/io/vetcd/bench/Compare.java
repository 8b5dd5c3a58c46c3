package io.vetcd.bench;

import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Starts real etcd and vetcd side by side (same flags, same --snapshot-count,
 * data dirs under one directory, loopback ports), runs every workload against
 * both alternately (etcd, vetcd, etcd, vetcd ...) for --rounds rounds, then
 * measures RSS after writing --rss-keys keys and restart-to-first-served time,
 * and prints one table (medians over rounds, ratio vetcd/etcd) and an HTML report.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
    description = "Run every workload against real etcd and vetcd, alternating, and compare.")
final class Compare implements Callable<Integer> {
    @Option(names = "--etcd", defaultValue = "/usr/bin/etcd") String etcdBin;
    @Option(names = "--vetcd-jar", defaultValue = "target/node-fat.jar") String vetcdJar;
    @Option(names = "--vetcd-java-opts", defaultValue = "", description = "extra JVM options for vetcd, space separated") String vetcdJavaOpts;
    @Option(names = "--jfr", description = "record a JFR profile of vetcd during the workloads into <out>/vetcd.jfr") boolean jfr;
    @Option(names = "--members", defaultValue = "1", description = "cluster size (each system runs this many members; clients use every member's endpoint)") int members;
    @Option(names = "--rounds", defaultValue = "3") int rounds;
    @Option(names = "--snapshot-count", defaultValue = "100000") long snapshotCount;
    @Option(names = "--workloads", split = ",", defaultValue = "put,range-l,range-s,txn-put,watch,lease-keepalive,mixed") List<String> workloads;
    @Option(names = "--scale", defaultValue = "1.0", description = "multiplies every workload's request count") double scale;
    @Option(names = "--conns", defaultValue = "10") int conns;
    @Option(names = "--clients", defaultValue = "100") int clients;
    @Option(names = "--max-seconds", defaultValue = "10", description = "time limit of one workload run") double maxSeconds;
    @Option(names = "--rss-keys", defaultValue = "1000000", description = "keys written before measuring RSS and restart time; 0 skips that part") long rssKeys;
    @Option(names = "--rss-val-size", defaultValue = "256") int rssValSize;
    @Option(names = "--fill-seconds", defaultValue = "300", description = "time limit for writing the --rss-keys keys, per server") double fillSeconds;
    @Option(names = "--out", defaultValue = "bench/out") Path out;
    @Option(names = "--work-dir", description = "where the data dirs go (default: <out>/data)") Path workDir;

    static final String[] TARGETS = {"etcd", "vetcd"};

    /** results.get(workload).get(target) = one Result per round. */
    final Map<String, Map<String, List<Result>>> results = new LinkedHashMap<>();
    final Map<String, double[]> footprint = new LinkedHashMap<>(); // target -> {rssMiB, restartMs, keys, diskMiB, rssAfterRestartMiB}

    @Override
    public Integer call() throws Exception {
        if (members < 1 || members > 7) {
            System.err.println("compare: --members must be 1..7");
            return 2;
        }
        for (String w : workloads) if (!Workloads.names().contains(w)) {
            System.err.println("compare: unknown workload " + w + "; known: " + Workloads.names());
            return 2;
        }
        if (!Files.isExecutable(Path.of(etcdBin))) { System.err.println("compare: no etcd at " + etcdBin); return 2; }
        if (!Files.isRegularFile(Path.of(vetcdJar))) { System.err.println("compare: no vetcd jar at " + vetcdJar + " (mvn -B package -DskipTests)"); return 2; }
        Instant started = Instant.now();
        Path work = workDir != null ? workDir : out.resolve("data");
        deleteTree(work);
        Files.createDirectories(out);
        out = out.toAbsolutePath();
        long t0 = System.nanoTime();

        List<String> vopts = new ArrayList<>();
        if (!vetcdJavaOpts.isBlank()) vopts.addAll(Arrays.asList(vetcdJavaOpts.trim().split("\\s+")));
        List<String> wopts = new ArrayList<>(vopts);
        if (jfr) wopts.add("-XX:StartFlightRecording=filename=" + out.toAbsolutePath().resolve("vetcd.jfr") + ",settings="
            + JfrSummary.settings(out.toAbsolutePath()) + ",dumponexit=true");

        loadBefore = loadavg();
        System.out.printf("compare: %d round(s) of %s; %d member(s) each; conns=%d clients=%d scale=%.2f; etcd=%s vetcd=%s%n",
            rounds, workloads, members, conns, clients, scale, etcdBin, vetcdJar);
        ServerGroup etcdGroup = members == 1
            ? new ServerGroup(List.of(ServerProc.etcd(etcdBin, work.resolve("etcd"), snapshotCount)))
            : new ServerGroup(ServerProc.cluster("etcd", List.of(etcdBin), List.of(etcdBin), work.resolve("etcd"), snapshotCount, members));
        ServerGroup vetcdGroup = members == 1
            ? new ServerGroup(List.of(ServerProc.vetcd(vetcdJar, wopts, work.resolve("vetcd"), snapshotCount)))
            : new ServerGroup(ServerProc.cluster("vetcd", ServerProc.vetcdCommand(vetcdJar, wopts),
                ServerProc.vetcdCommand(vetcdJar, vopts), work.resolve("vetcd"), snapshotCount, members));
        try (ServerGroup etcd = etcdGroup; ServerGroup vetcd = vetcdGroup) {
            Map<String, ServerGroup> servers = Map.of("etcd", etcd, "vetcd", vetcd);
            for (String t : TARGETS) {
                double ms = servers.get(t).start();
                System.out.printf("started %s (pid %s) at %s in %.0f ms%n", t, servers.get(t).pids(), servers.get(t).endpoints(), ms);
            }
            // Warm-up (client JIT and server JIT alike), not recorded.
            for (String t : TARGETS) {
                for (String w : List.of("put", "range-l", "range-s", "txn-put")) {
                    Workloads.Base b = make(w, servers.get(t).endpoints(), 0.15);
                    b.execute(null);
                }
            }
            for (int round = 1; round <= rounds; round++) {
                for (String w : workloads) {
                    for (String t : TARGETS) {
                        Result r = make(w, servers.get(t).endpoints(), scale).execute(null);
                        results.computeIfAbsent(w, k -> new LinkedHashMap<>()).computeIfAbsent(t, k -> new ArrayList<>()).add(r);
                        System.out.printf(Locale.ROOT, "round %d  %-16s %-6s %-13s %9.1f QPS  p50 %8.3f  p99 %8.3f ms  errors %d%s%n",
                            round, w, t, r.status(), r.qps(), r.p(50), r.p(99), r.errors.total(),
                            r.errors.total() > 0 ? " " + r.errors.counts : "");
                    }
                }
            }
            for (String t : TARGETS) System.out.printf("%s RSS after the workloads: %.1f MiB (%d member(s))%n", t,
                servers.get(t).rssKb() / 1024.0, members);
        }

        if (rssKeys > 0 && members > 1) {
            System.out.println("footprint (RSS, restart) is measured with --members 1 only; skipped");
        } else if (rssKeys > 0) {
            // vetcd first, time-limited; then etcd with exactly as many keys, so the two are compared at equal data.
            double[] v = footprint("vetcd", work.resolve("vetcd-fill"), vopts, rssKeys);
            double[] e = footprint("etcd", work.resolve("etcd-fill"), vopts, (long) v[2]);
            footprint.put("etcd", e);
            footprint.put("vetcd", v);
        }

        loadAfter = loadavg();
        String table = table();
        String when = started.toString();
        double minutes = (System.nanoTime() - t0) / 60e9;
        System.out.println();
        System.out.printf(Locale.ROOT, "vetcd vs etcd, %s, %d round(s), median of rounds (took %.1f min)%n", when, rounds, minutes);
        System.out.println(table);
        System.out.println("load average (/proc/loadavg) before: " + loadBefore + "  after: " + loadAfter + "  cores: " + Runtime.getRuntime().availableProcessors());
        Files.writeString(out.resolve("table.txt"), table + "\n");
        Files.writeString(out.resolve("results.json"), json(when));
        Files.writeString(out.resolve("report.html"), Report.html(this, when, table, minutes));
        System.out.println("report: " + out.resolve("report.html") + "   data: " + out.resolve("results.json")
            + (jfr ? "   profile: " + out.resolve("vetcd.jfr") : ""));
        // Keep the server logs (<work>/<server>/server.log), drop the data.
        try (var dirs = Files.list(work)) {
            for (Path d : dirs.toList()) deleteTree(d.resolve("data"));
        }
        System.out.println("server logs: " + work + "/*/server.log");
        System.out.println("JSON " + json(when).replace("\n", ""));
        return 0;
    }

    private double[] footprint(String t, Path dir, List<String> vopts, long keys) throws IOException {
        ServerProc s = t.equals("etcd") ? ServerProc.etcd(etcdBin, dir, snapshotCount) : ServerProc.vetcd(vetcdJar, vopts, dir, snapshotCount);
        try (s) {
            s.start();
            Workloads.Fill f = new Workloads.Fill();
            f.endpoints = List.of(s.endpoint());
            f.keys = keys;
            f.valSize = rssValSize;
            f.maxSeconds = fillSeconds;
            long ft = System.nanoTime();
            Result r = f.execute(null);
            long written = ((Number) r.extra.get("keys_written")).longValue();
            System.out.printf(Locale.ROOT, "%s: wrote %d keys (%d-byte values) in %.1f s%s%n", t, written, rssValSize,
                (System.nanoTime() - ft) / 1e9, r.errors.total() > 0 ? " errors " + r.errors.counts : "");
            ServerProc.sleep(3000);
            double rss = s.rssKb() / 1024.0;
            s.stop();
            double disk = s.diskKb() / 1024.0;
            double restart = s.start();
            double rss2 = s.rssKb() / 1024.0;
            System.out.printf(Locale.ROOT, "%s: RSS %.1f MiB with %d keys; data dir %.1f MiB; restart to first served request %.0f ms (RSS then %.1f MiB)%n",
                t, rss, written, disk, restart, rss2);
            return new double[] {rss, restart, written, disk, rss2};
        }
    }

    Workloads.Base make(String w, List<String> endpoints, double scale) {
        Workloads.Base b;
        long n = Math.max(100, Math.round(20000 * scale));
        switch (w) {
            case "put" -> {
                Workloads.Put p = new Workloads.Put();
                p.keySize = 8; p.valSize = 256; p.keySpaceSize = 100000;
                b = p;
            }
            case "range-l", "range-s" -> {
                Workloads.Range r = new Workloads.Range();
                r.consistency = w.substring(6);
                r.valSize = 256;
                b = r;
            }
            case "txn-put" -> {
                Workloads.TxnPut t = new Workloads.TxnPut();
                t.keySize = 8; t.valSize = 256; t.keySpaceSize = 100000; t.txnOps = 1;
                n = Math.max(100, Math.round(10000 * scale));
                b = t;
            }
            case "watch" -> {
                Workloads.Watch x = new Workloads.Watch();
                x.streams = 10; x.watchersPerStream = 10; x.putRate = 200;
                x.putTotal = (int) Math.max(50, Math.round(1000 * scale));
                b = x;
            }
            case "lease-keepalive" -> b = new Workloads.LeaseKeepalive();
            case "mixed" -> {
                Workloads.Mixed m = new Workloads.Mixed();
                m.valSize = 256; m.keySpaceSize = 1000; m.readRatio = 0.9;
                b = m;
            }
            default -> throw new IllegalArgumentException(w);
        }
        b.endpoints = endpoints;
        b.conns = conns;
        b.clients = clients;
        b.total = n;
        b.maxSeconds = maxSeconds;
        return b;
    }

    String loadBefore = "", loadAfter = "";

    static String loadavg() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    static double median(List<Double> xs) {
        double[] v = xs.stream().mapToDouble(Double::doubleValue).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (v.length == 0) return Double.NaN;
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    double med(String w, String t, java.util.function.ToDoubleFunction<Result> f) {
        List<Result> rs = results.get(w).get(t);
        return median(rs.stream().filter(r -> r.ok > 0).map(r -> f.applyAsDouble(r)).toList());
    }

    String status(String w, String t) {
        List<Result> rs = results.get(w).get(t);
        for (Result r : rs) if (!r.status().equals("OK")) return r.status();
        return "OK";
    }

    Histogram merged(String w, String t) {
        Histogram h = Result.newHist();
        for (Result r : results.get(w).get(t)) h.add(r.hist);
        return h;
    }

    /** Rows: workload, metric, etcd, vetcd, ratio, target, met. */
    List<String[]> rows() {
        List<String[]> rows = new ArrayList<>();
        for (String w : results.keySet()) {
            boolean watch = w.equals("watch");
            String sv = status(w, "vetcd");
            String se = status(w, "etcd");
            if (!watch) rows.add(row(w, "QPS", med(w, "etcd", Result::qps), med(w, "vetcd", Result::qps), se, sv,
                w.equals("put") ? ">= 1.5" : w.startsWith("range") ? ">= 1.0" : "", true, w.equals("put") ? 1.5 : 1.0, "%.0f"));
            rows.add(row(w, "p50 ms", med(w, "etcd", r -> r.p(50)), med(w, "vetcd", r -> r.p(50)), se, sv, "", false, 0, "%.2f"));
            rows.add(row(w, "p99 ms", med(w, "etcd", r -> r.p(99)), med(w, "vetcd", r -> r.p(99)), se, sv, "<= 1.0", false, 1.0, "%.2f"));
        }
        if (!footprint.isEmpty()) {
            double[] e = footprint.get("etcd");
            double[] v = footprint.get("vetcd");
            String label = String.format(Locale.ROOT, "%,.0f keys", e[2]);
            rows.add(row("RSS (" + label + ")", "MiB", e[0], v[0], "OK", "OK", "<= 1.5", false, 1.5, "%.0f"));
            rows.add(row("data dir (" + label + ")", "MiB", e[3], v[3], "OK", "OK", "", false, 0, "%.0f"));
            rows.add(row("restart to 1st request", "ms", e[1], v[1], "OK", "OK", "<= 1.0", false, 1.0, "%.0f"));
            rows.add(row("RSS after restart", "MiB", e[4], v[4], "OK", "OK", "", false, 0, "%.0f"));
        }
        return rows;
    }

    private static String[] row(String w, String metric, double e, double v, String se, String sv, String target,
                                boolean higherBetter, double limit, String fmt) {
        String es = se.equals("OK") || !Double.isNaN(e) ? fmtNum(fmt, e) : se;
        String vs = sv.equals("OK") || !Double.isNaN(v) ? fmtNum(fmt, v) : sv;
        if (!sv.equals("OK") && Double.isNaN(v)) vs = sv;
        double ratio = v / e;
        String rs = Double.isNaN(ratio) || Double.isInfinite(ratio) ? "-" : String.format(Locale.ROOT, "%.2f", ratio);
        String met = "";
        if (!target.isEmpty()) {
            if (Double.isNaN(ratio)) met = "no";
            else met = (higherBetter ? ratio >= limit : ratio <= limit) ? "yes" : "no";
        }
        if (!sv.equals("OK") && !Double.isNaN(v)) vs += " (" + sv + ")";
        return new String[] {w, metric, es, vs, rs, target, met};
    }

    static String fmtNum(String fmt, double d) {
        return Double.isNaN(d) ? "-" : String.format(Locale.ROOT, fmt, d);
    }

    String table() {
        String[] head = {"workload", "metric", "etcd", "vetcd", "vetcd/etcd", "target", "met"};
        List<String[]> rows = rows();
        int[] w = new int[head.length];
        for (int i = 0; i < head.length; i++) w[i] = head[i].length();
        for (String[] r : rows) for (int i = 0; i < r.length; i++) w[i] = Math.max(w[i], r[i].length());
        StringBuilder b = new StringBuilder();
        line(b, head, w);
        String[] sep = new String[head.length];
        for (int i = 0; i < head.length; i++) sep[i] = "-".repeat(w[i]);
        line(b, sep, w);
        for (String[] r : rows) line(b, r, w);
        return b.toString().stripTrailing();
    }

    private static void line(StringBuilder b, String[] cells, int[] w) {
        b.append("| ");
        for (int i = 0; i < cells.length; i++) {
            String c = cells[i];
            boolean num = i >= 2 && i <= 4;
            b.append(num ? " ".repeat(w[i] - c.length()) + c : c + " ".repeat(w[i] - c.length())).append(" | ");
        }
        b.setLength(b.length() - 1);
        b.append('\n');
    }

    String json(String when) {
        StringBuilder b = new StringBuilder("{\"date\":\"" + when + "\",\"rounds\":" + rounds + ",\"loadavg_before\":\"" + loadBefore
            + "\",\"loadavg_after\":\"" + loadAfter + "\",\"runs\":[\n");
        boolean first = true;
        for (var w : results.entrySet()) for (var t : w.getValue().entrySet()) for (Result r : t.getValue()) {
            if (!first) b.append(",\n");
            first = false;
            b.append("{\"system\":\"").append(t.getKey()).append("\",\"result\":").append(r.json()).append('}');
        }
        b.append("\n],\"footprint\":{");
        first = true;
        for (var e : footprint.entrySet()) {
            if (!first) b.append(',');
            first = false;
            double[] v = e.getValue();
            b.append(String.format(Locale.ROOT, "\"%s\":{\"rss_mib\":%.1f,\"restart_ms\":%.1f,\"keys\":%.0f,\"data_dir_mib\":%.1f,\"rss_after_restart_mib\":%.1f}",
                e.getKey(), v[0], v[1], v[2], v[3], v[4]));
        }
        return b.append("}}\n").toString();
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
        }
    }
}
