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
 * Starts real etcd and vetcd side by side (same flags, same --snapshot-count, data dirs under one
 * directory, loopback ports) for each cluster size in --members, and drives both with two load
 * generators: etcd's own Go client (bench/clientv3load, clientv3) and the Java one in this jar.
 * Per cluster size:
 * <ol>
 *   <li>start, empty data dir, to the first answered Range;</li>
 *   <li>cold: the first --cold-puts puts after start (Go client);</li>
 *   <li>warm-up: --warm-seconds of puts (Go client), then</li>
 *   <li>--rounds rounds of every workload x load generator, alternating etcd, vetcd;</li>
 *   <li>with one member: RSS after writing --rss-keys keys, and restart to the first answered Range.</li>
 * </ol>
 * Every run also reports the server CPU seconds (user + system, /proc/PID/stat, all members
 * together) per 10,000 requests. One table: medians over rounds, ratio vetcd/etcd.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
    description = "Run every workload against real etcd and vetcd, alternating, with etcd's Go client and the Java one, and compare.")
final class Compare implements Callable<Integer> {
    @Option(names = "--etcd", defaultValue = "/usr/bin/etcd") String etcdBin;
    @Option(names = "--vetcd-jar", defaultValue = "target/node-fat.jar") String vetcdJar;
    @Option(names = "--vetcd-launcher", defaultValue = "deploy/vetcd",
        description = "script that starts vetcd (README's recommended command); empty: plain java -jar") String vetcdLauncher;
    @Option(names = "--vetcd-java-opts", defaultValue = "", description = "extra JVM options for vetcd, space separated") String vetcdJavaOpts;
    @Option(names = "--jfr", description = "record a JFR profile of vetcd during the workloads into <out>/vetcd.jfr") boolean jfr;
    @Option(names = "--members", split = ",", defaultValue = "1,3", description = "cluster sizes, each run in turn (each system runs this many members; clients use every member's endpoint)") List<Integer> memberCounts;
    @Option(names = "--rounds", defaultValue = "2") int rounds;
    @Option(names = "--snapshot-count", defaultValue = "100000") long snapshotCount;
    @Option(names = "--workloads", split = ",", defaultValue = "put,txn-put,range-l,range-s,put-1client",
        description = "put, txn-put, range-l, range-s, put-1client (one client, one connection); Java only: watch, lease-keepalive, mixed") List<String> workloads;
    @Option(names = "--load-generators", split = ",", defaultValue = "go,java", description = "go (etcd's clientv3, bench/clientv3load) and/or java") List<String> generators;
    @Option(names = "--scale", defaultValue = "1.0", description = "multiplies every workload's request count") double scale;
    @Option(names = "--conns", defaultValue = "10") int conns;
    @Option(names = "--clients", defaultValue = "100") int clients;
    @Option(names = "--max-seconds", defaultValue = "10", description = "time limit of one workload run") double maxSeconds;
    @Option(names = "--cold-puts", defaultValue = "20000", description = "puts measured right after start (0: skip)") long coldPuts;
    @Option(names = "--warm-seconds", defaultValue = "30", description = "seconds of puts before the measured rounds") double warmSeconds;
    @Option(names = "--rss-keys", defaultValue = "100000", description = "keys written before measuring RSS and restart time (one member only); 0 skips that part") long rssKeys;
    @Option(names = "--rss-val-size", defaultValue = "256") int rssValSize;
    @Option(names = "--fill-seconds", defaultValue = "300", description = "time limit for writing the --rss-keys keys, per server") double fillSeconds;
    @Option(names = "--out", defaultValue = "bench/out") Path out;
    @Option(names = "--work-dir", description = "where the data dirs go (default: <out>/data)") Path workDir;

    static final String[] TARGETS = {"etcd", "vetcd"};
    static final List<String> GO_WORKLOADS = List.of("put", "txn-put", "range-l", "range-s", "put-1client");

    /** results.get(label).get(target) = one Result per round; a label is "<members>m <workload> [<generator>]". */
    final Map<String, Map<String, List<Result>>> results = new LinkedHashMap<>();
    final Map<String, double[]> footprint = new LinkedHashMap<>(); // target -> {rssMiB, restartMs, keys, diskMiB, rssAfterRestartMiB}
    final Map<String, Map<String, Double>> startMs = new LinkedHashMap<>(); // "<members>m" -> target -> ms
    GoClientLoad go;
    int members;

    @Override
    public Integer call() throws Exception {
        for (int m : memberCounts) if (m < 1 || m > 7) {
            System.err.println("compare: --members must be 1..7");
            return 2;
        }
        for (String w : workloads) if (!Workloads.names().contains(w) && !w.equals("put-1client")) {
            System.err.println("compare: unknown workload " + w + "; known: " + Workloads.names() + ", put-1client");
            return 2;
        }
        for (String g : generators) if (!g.equals("go") && !g.equals("java")) {
            System.err.println("compare: --load-generators takes go and/or java");
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
        ServerProc.launcher = vetcdLauncher.isBlank() ? "" : Path.of(vetcdLauncher).toAbsolutePath().toString();
        if (generators.contains("go")) go = GoClientLoad.build(Path.of("."), Path.of("bench/target"));

        List<String> vopts = new ArrayList<>();
        if (!vetcdJavaOpts.isBlank()) vopts.addAll(Arrays.asList(vetcdJavaOpts.trim().split("\\s+")));
        List<String> wopts = new ArrayList<>(vopts);
        if (jfr) wopts.add("-XX:StartFlightRecording=filename=" + out.toAbsolutePath().resolve("vetcd.jfr") + ",settings="
            + JfrSummary.settings(out.toAbsolutePath()) + ",dumponexit=true");

        loadBefore = loadavg();
        System.out.printf("compare: %d round(s) of %s with %s; members %s; conns=%d clients=%d scale=%.2f; etcd=%s vetcd=%s %s%n",
            rounds, workloads, generators, memberCounts, conns, clients, scale, etcdBin, vetcdJar, vopts);
        for (int m : memberCounts) {
            members = m;
            runClusterSize(m, work.resolve(m + "m"), vopts, wopts);
        }
        if (rssKeys > 0 && memberCounts.contains(1)) {
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
        System.out.printf(Locale.ROOT, "vetcd vs etcd, %s, %d round(s), median of rounds (took %.1f min); vetcd started by %s, extra JVM options: %s%n",
            when, rounds, minutes, ServerProc.launcher.isEmpty() ? "java -jar" : vetcdLauncher, vopts.isEmpty() ? "(none)" : String.join(" ", vopts));
        System.out.println(table);
        System.out.println("load average (/proc/loadavg) before: " + loadBefore + "  after: " + loadAfter + "  cores: " + Runtime.getRuntime().availableProcessors());
        Files.writeString(out.resolve("table.txt"), table + "\n\nload average before: " + loadBefore + "  after: " + loadAfter + "\n");
        Files.writeString(out.resolve("results.json"), json(when));
        Files.writeString(out.resolve("report.html"), Report.html(this, when, table, minutes));
        System.out.println("report: " + out.resolve("report.html") + "   data: " + out.resolve("results.json")
            + (jfr ? "   profile: " + out.resolve("vetcd.jfr") : ""));
        // Keep the server logs (<work>/.../server.log), drop the data.
        try (var s = Files.walk(work)) {
            // not the work dir itself: its default name is "data" too, and the logs are under it
            for (Path d : s.filter(p -> !p.equals(work) && p.getFileName().toString().equals("data") && Files.isDirectory(p)).toList()) deleteTree(d);
        }
        System.out.println("server logs: " + work + "/**/server.log");
        return 0;
    }

    private void runClusterSize(int m, Path work, List<String> vopts, List<String> wopts) throws Exception {
        String mm = m + "m ";
        ServerGroup etcdGroup = m == 1
            ? new ServerGroup(List.of(ServerProc.etcd(etcdBin, work.resolve("etcd"), snapshotCount)))
            : new ServerGroup(ServerProc.cluster("etcd", List.of(etcdBin), List.of(etcdBin), work.resolve("etcd"), snapshotCount, m));
        ServerGroup vetcdGroup = m == 1
            ? new ServerGroup(List.of(ServerProc.vetcd(vetcdJar, wopts, work.resolve("vetcd"), snapshotCount)))
            : new ServerGroup(ServerProc.cluster("vetcd", ServerProc.vetcdCommand(vetcdJar, wopts),
                ServerProc.vetcdCommand(vetcdJar, vopts), work.resolve("vetcd"), snapshotCount, m));
        try (ServerGroup etcd = etcdGroup; ServerGroup vetcd = vetcdGroup) {
            Map<String, ServerGroup> servers = Map.of("etcd", etcd, "vetcd", vetcd);
            for (String t : TARGETS) {
                double ms = servers.get(t).start();
                startMs.computeIfAbsent(mm.trim(), k -> new LinkedHashMap<>()).put(t, ms);
                System.out.printf("started %s (pid %s, %s) at %s in %.0f ms%n", t, servers.get(t).pids(), servers.get(t).executable(), servers.get(t).endpoints(), ms);
            }
            // Cold: the first puts after start, before anything else has touched the server.
            if (coldPuts > 0 && go != null) for (String t : TARGETS) {
                record(mm + "cold put (first " + coldPuts + ")", t, servers.get(t), "go", 0,
                    () -> go.run("put", "cold put", servers.get(t).endpoints(), conns, clients, coldPuts, Math.max(60, maxSeconds)));
            }
            // Warm-up: puts for --warm-seconds (reported too: it is the rest of the first minute).
            if (warmSeconds > 0) for (String t : TARGETS) {
                record(mm + "warm-up put (" + (int) warmSeconds + " s)", t, servers.get(t), go != null ? "go" : "java", 0, () -> go != null
                    ? go.run("put", "warm-up put", servers.get(t).endpoints(), conns, clients, Long.MAX_VALUE / 2, warmSeconds)
                    : javaRun("put", servers.get(t).endpoints(), 1e9, warmSeconds));
            }
            for (int round = 1; round <= rounds; round++) {
                for (String w : workloads) {
                    for (String g : generators) {
                        if (g.equals("go") && !GO_WORKLOADS.contains(w)) continue;
                        for (String t : TARGETS) {
                            int rr = round;
                            record(mm + w + " [" + g + "]", t, servers.get(t), g, rr, () -> g.equals("go")
                                ? goRun(w, servers.get(t).endpoints())
                                : javaRun(w, servers.get(t).endpoints(), scale, maxSeconds));
                        }
                    }
                }
            }
            for (String t : TARGETS) System.out.printf("%s RSS after the workloads: %.1f MiB (%d member(s))%n", t,
                servers.get(t).rssKb() / 1024.0, m);
        }
    }

    interface Run { Result run() throws Exception; }

    /** Runs one workload against one system, measuring the servers' CPU around it, and files the result under {@code label}. */
    private void record(String label, String target, ServerGroup servers, String generator, int round, Run run) throws Exception {
        double cpu0 = servers.cpuSeconds();
        Result r = run.run();
        double cpu = servers.cpuSeconds() - cpu0;
        r.extra.put("server_cpu_s", cpu);
        r.extra.put("members", members);
        r.extra.put("generator", generator);
        r.extra.put("label", label);
        results.computeIfAbsent(label, k -> new LinkedHashMap<>()).computeIfAbsent(target, k -> new ArrayList<>()).add(r);
        System.out.printf(Locale.ROOT, "%s %-36s %-6s %-7s %9.1f QPS  p50 %8.3f  p99 %8.3f ms  CPU %.2f s/10k  errors %d%s%n",
            round == 0 ? "  " : "r" + round, label, target, r.status(), r.qps(), r.p(50), r.p(99), cpuPer10k(r), r.errors.total(),
            r.errors.total() > 0 ? " " + r.errors.counts : "");
    }

    static double cpuPer10k(Result r) {
        Object c = r.extra.get("server_cpu_s");
        return c instanceof Double d && r.ok > 0 ? d / r.ok * 10000 : Double.NaN;
    }

    private Result goRun(String w, List<String> endpoints) throws Exception {
        long n = Math.max(100, Math.round(20000 * scale));
        return switch (w) {
            case "put-1client" -> go.run("put", w, endpoints, 1, 1, Math.max(100, Math.round(2000 * scale)), maxSeconds);
            case "txn-put" -> go.run(w, w, endpoints, conns, clients, Math.max(100, Math.round(10000 * scale)), maxSeconds);
            default -> go.run(w, w, endpoints, conns, clients, n, maxSeconds);
        };
    }

    private Result javaRun(String w, List<String> endpoints, double scale, double seconds) {
        Workloads.Base b;
        if (w.equals("put-1client")) {
            b = make("put", endpoints, scale);
            b.clients = 1;
            b.conns = 1;
            b.total = Math.max(100, Math.round(2000 * scale));
        } else {
            b = make(w, endpoints, scale);
        }
        b.maxSeconds = seconds;
        return b.execute(null);
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
        for (var st : startMs.entrySet()) {
            Map<String, Double> v = st.getValue();
            rows.add(row(st.getKey() + " start, empty data dir, to 1st answered Range", "ms", v.get("etcd"), v.get("vetcd"), "OK", "OK",
                "<= 1.0", false, 1.0, "%.0f"));
        }
        for (String w : results.keySet()) {
            boolean watch = w.contains("watch");
            boolean single = w.contains("put-1client");
            boolean put = w.contains("put") && !single;
            boolean range = w.contains("range-");
            String sv = status(w, "vetcd");
            String se = status(w, "etcd");
            String qpsTarget = put || range ? ">= 1.5" : "";
            if (!watch) rows.add(row(w, "QPS", med(w, "etcd", Result::qps), med(w, "vetcd", Result::qps), se, sv,
                qpsTarget, true, 1.5, "%.0f"));
            rows.add(row(w, "p50 ms", med(w, "etcd", r -> r.p(50)), med(w, "vetcd", r -> r.p(50)), se, sv,
                single ? "<= 1.0" : "", false, 1.0, "%.2f"));
            rows.add(row(w, "p99 ms", med(w, "etcd", r -> r.p(99)), med(w, "vetcd", r -> r.p(99)), se, sv, "<= 1.0", false, 1.0, "%.2f"));
            if (!watch) rows.add(row(w, "CPU s/10k", med(w, "etcd", Compare::cpuPer10k), med(w, "vetcd", Compare::cpuPer10k), se, sv,
                put ? "<= 0.7" : "", false, 0.7, "%.2f"));
        }
        if (!footprint.isEmpty()) {
            double[] e = footprint.get("etcd");
            double[] v = footprint.get("vetcd");
            String label = String.format(Locale.ROOT, "%,.0f keys", e[2]);
            rows.add(row("RSS (" + label + ")", "MiB", e[0], v[0], "OK", "OK", "<= 1.5", false, 1.5, "%.0f"));
            rows.add(row("data dir (" + label + ")", "MiB", e[3], v[3], "OK", "OK", "", false, 0, "%.0f"));
            rows.add(row("restart (" + label + ") to 1st answered Range", "ms", e[1], v[1], "OK", "OK", "<= 1.0", false, 1.0, "%.0f"));
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
        StringBuilder b = new StringBuilder("{\"date\":\"" + when + "\",\"rounds\":" + rounds
            + ",\"start_ms\":" + new io.vertx.core.json.JsonObject(new LinkedHashMap<String, Object>(startMs)).encode() + ",\"loadavg_before\":\"" + loadBefore
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
