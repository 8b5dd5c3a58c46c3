package io.vetcd.bench;

import com.google.protobuf.ByteString;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vetcd.pb.etcdserver.PutRequest;
import io.vetcd.pb.etcdserver.WatchCreateRequest;
import io.vetcd.pb.etcdserver.WatchRequest;
import io.vetcd.pb.mvcc.Event;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Watch fan-out through a grpc-proxy: real etcd's proxy in front of one real etcd member, and vetcd's proxy in
 * front of one vetcd member. {@code --watchers} watchers of {@code --keys} keys (the same number per key) are
 * opened through the proxy on {@code --conns} connections, {@code --watchers-per-stream} watchers per watch
 * stream; then {@code --puts-per-key} puts per key go directly to the member. Per server: event latency (put
 * acknowledged to event received at each watcher; an event that arrives before its put's answer counts 0),
 * events delivered vs expected with every watcher checked for missing, duplicated and out-of-order events, the
 * member's watcher and watch-stream gauges (its /metrics) with all watchers open, and the CPU seconds and RSS of
 * proxy and member.
 */
@Command(name = "proxy-watch", mixinStandardHelpOptions = true,
    description = "Many watchers through a grpc-proxy (etcd's in front of etcd, vetcd's in front of vetcd), puts straight to the member.")
final class ProxyWatch implements Callable<Integer> {
    @Option(names = "--etcd", defaultValue = "/usr/bin/etcd") String etcdBin;
    @Option(names = "--vetcd-jar", defaultValue = "target/node-fat.jar") String vetcdJar;
    @Option(names = "--vetcd-launcher", defaultValue = "deploy/vetcd",
        description = "script that starts the vetcd member (README's recommended command); empty: plain java -jar") String vetcdLauncher;
    @Option(names = "--vetcd-java-opts", defaultValue = "", description = "extra JVM options for the vetcd member and proxy") String vetcdJavaOpts;
    @Option(names = "--targets", split = ",", defaultValue = "etcd,vetcd",
        description = "etcd (etcd's proxy on etcd), vetcd (vetcd's on vetcd); to tell proxy from member apart also "
            + "etcd+vetcd-proxy (vetcd's proxy on an etcd member) and vetcd+etcd-proxy") List<String> targets;
    @Option(names = "--watchers", defaultValue = "10000") int watchers;
    @Option(names = "--keys", defaultValue = "10") int keys;
    @Option(names = "--puts-per-key", defaultValue = "100") int putsPerKey;
    @Option(names = "--put-rate", defaultValue = "100", description = "puts per second, round-robin over the keys (default: ${DEFAULT-VALUE})") int putRate;
    @Option(names = "--conns", defaultValue = "10", description = "client connections to the proxy") int conns;
    @Option(names = "--watchers-per-stream", defaultValue = "100") int watchersPerStream;
    @Option(names = "--max-seconds", defaultValue = "120", description = "time limit for delivery after the last put") double maxSeconds;
    @Option(names = "--out", defaultValue = "bench/out/proxy-watch") Path out;
    @Option(names = "--nudge", description = "diagnosis: when events are missing after delivery, put one more value per key "
        + "and count the missing events that arrive after it (held back, not lost)") boolean nudge;

    /** One watcher's view: which events of its key it got (by per-key sequence), and when. */
    static final class Watcher {
        int key = -1;
        final BitSet seen;
        final long[] receivedAt;
        int maxSeq = -1;
        long duplicates;
        long outOfOrder;
        long wrongKey;

        Watcher(int puts) {
            seen = new BitSet(puts);
            receivedAt = new long[puts];
        }
    }

    @Override
    public Integer call() throws Exception {
        if (watchers < keys || keys < 1 || putsPerKey < 1 || watchersPerStream < 1 || conns < 1) {
            System.err.println("proxy-watch: need --keys >= 1, --watchers >= --keys, --puts-per-key, --watchers-per-stream, --conns >= 1");
            return 2;
        }
        for (String t : targets) if (!List.of("etcd", "vetcd", "etcd+vetcd-proxy", "vetcd+etcd-proxy").contains(t)) {
            System.err.println("proxy-watch: --targets takes etcd, vetcd, etcd+vetcd-proxy, vetcd+etcd-proxy");
            return 2;
        }
        ServerProc.launcher = vetcdLauncher.isBlank() ? "" : Path.of(vetcdLauncher).toAbsolutePath().toString();
        out = out.toAbsolutePath();
        Path work = out.resolve("work"); // not "data": the data dirs under it are deleted at the end, the logs kept
        Compare.deleteTree(work);
        Files.createDirectories(out);
        String loadBefore = Compare.loadavg();
        Instant when = Instant.now();
        System.out.printf(Locale.ROOT, "proxy-watch: %d watchers of %d keys through a grpc-proxy (%d conns, %d watchers/stream), "
            + "%d puts per key at %d/s straight to the member; targets %s%n", watchers, keys, conns, watchersPerStream, putsPerKey, putRate, targets);
        Map<String, Map<String, Object>> rows = new LinkedHashMap<>();
        for (String t : targets) rows.put(t, runTarget(t, work.resolve(t)));
        String loadAfter = Compare.loadavg();
        String table = table(rows);
        System.out.println();
        System.out.printf(Locale.ROOT, "proxy-watch, %s: %d watchers of %d keys, %d puts per key at %d puts/s%n", when, watchers, keys, putsPerKey, putRate);
        System.out.println(table);
        String load = "load average (/proc/loadavg) before: " + loadBefore + "  after: " + loadAfter + "  cores: " + Runtime.getRuntime().availableProcessors();
        System.out.println(load);
        Files.writeString(out.resolve("table.txt"), table + "\n" + load + "\n");
        Files.writeString(out.resolve("results.json"), json(rows, when));
        try (var s = Files.walk(work)) {
            for (Path d : s.filter(p -> p.getFileName().toString().equals("data") && Files.isDirectory(p)).toList()) Compare.deleteTree(d);
        }
        System.out.println("results: " + out.resolve("results.json") + "   server logs: " + work + "/*/*.log");
        boolean ok = rows.values().stream().allMatch(r -> ((Number) r.get("missing")).longValue() == 0
            && ((Number) r.get("duplicated")).longValue() == 0 && ((Number) r.get("out_of_order")).longValue() == 0);
        return ok ? 0 : 1;
    }

    /** Member, then proxy, then the workload; both stopped (by pid) afterwards. */
    Map<String, Object> runTarget(String t, Path dir) throws Exception {
        List<String> jopts = vetcdJavaOpts.isBlank() ? List.of() : Arrays.asList(vetcdJavaOpts.trim().split("\\s+"));
        boolean etcdMember = t.startsWith("etcd");
        boolean etcdProxy = t.equals("etcd") || t.endsWith("+etcd-proxy");
        try (ServerProc member = etcdMember ? ServerProc.etcd(etcdBin, dir.resolve("member"), 100000)
                 : ServerProc.vetcd(vetcdJar, jopts, dir.resolve("member"), 100000)) {
            double ms = member.start();
            try (ProxyProc proxy = etcdProxy ? ProxyProc.etcd(etcdBin, member.endpoint(), dir.resolve("proxy.log"))
                     : ProxyProc.vetcd(vetcdJar, jopts, member.endpoint(), dir.resolve("proxy.log"))) {
                double pms = proxy.start();
                System.out.printf(Locale.ROOT, "%s: member pid %d on %s (%.0f ms), grpc-proxy pid %d on %s (%.0f ms)%n", t, member.pid(),
                    member.endpoint(), ms, proxy.pid(), proxy.endpoint(), pms);
                Map<String, Object> r = run(member.endpoint(), proxy.endpoint(), member.pid(), proxy.pid(), t);
                r.put("member_rss_mib", member.rssKb() / 1024.0);
                r.put("proxy_rss_mib", proxy.rssKb() / 1024.0);
                if (!proxy.isAlive() || !member.isAlive()) r.put("note", "a process died; see " + dir);
                return r;
            }
        }
    }

    /** The workload against a running member and proxy; the pids are for CPU seconds. */
    Map<String, Object> run(String memberEndpoint, String proxyEndpoint, long memberPid, long proxyPid, String label) throws Exception {
        int streams = (watchers + watchersPerStream - 1) / watchersPerStream;
        Watcher[] ws = new Watcher[watchers];
        for (int i = 0; i < watchers; i++) ws[i] = new Watcher(putsPerKey);
        long totalPuts = (long) keys * putsPerKey;
        long expected = (long) watchers * putsPerKey;
        long[] ackAt = new long[(int) totalPuts];
        long[] sentAt = new long[(int) totalPuts];
        AtomicLong delivered = new AtomicLong();
        AtomicLong unknown = new AtomicLong();
        CountDownLatch created = new CountDownLatch(watchers);
        CountDownLatch all = new CountDownLatch(1);
        List<Throwable> streamErrors = java.util.Collections.synchronizedList(new ArrayList<>());
        ByteString[] keyBytes = new ByteString[keys];
        Map<ByteString, Integer> keyIndex = new HashMap<>();
        for (int k = 0; k < keys; k++) {
            keyBytes[k] = ByteString.copyFromUtf8(String.format(Locale.ROOT, "proxy-watch/key-%04d", k));
            keyIndex.put(keyBytes[k], k);
        }
        double cpuMember0 = ServerCpu.seconds(memberPid);
        double cpuProxy0 = ServerCpu.seconds(proxyPid);
        long t0 = System.nanoTime();
        Conns c = Conns.open(List.of(proxyEndpoint), conns, Math.min(conns, Math.max(1, Runtime.getRuntime().availableProcessors())));
        Conns pc = null;
        Map<String, Object> r = new LinkedHashMap<>();
        try {
            c.connectAll();
            for (int s = 0; s < streams; s++) {
                int si = s;
                int first = s * watchersPerStream;
                int n = Math.min(watchersPerStream, watchers - first);
                // watch id -> watcher; created answers come in the order of the create requests on a stream
                Map<Long, Watcher> byId = new HashMap<>();
                int[] nextCreated = {0};
                c.context(s).runOnContext(v -> c.watch(si).watch((w, err) -> {
                    if (err != null) return;
                    for (int i = 0; i < n; i++) {
                        int key = (first + i) % keys;
                        w.write(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder().setKey(keyBytes[key])).build());
                    }
                }).onSuccess(rs -> {
                    rs.handler(resp -> {
                        long now = System.nanoTime();
                        if (resp.getCreated()) {
                            if (nextCreated[0] < n) {
                                Watcher wa = ws[first + nextCreated[0]++];
                                byId.put(resp.getWatchId(), wa);
                                created.countDown();
                            }
                        }
                        if (resp.getCanceled()) streamErrors.add(new IllegalStateException("watch canceled: " + resp.getCancelReason()));
                        if (resp.getEventsCount() == 0) return;
                        Watcher wa = byId.get(resp.getWatchId());
                        for (Event e : resp.getEventsList()) {
                            ByteString val = e.getKv().getValue();
                            Integer key = keyIndex.get(e.getKv().getKey());
                            if (wa == null || key == null || val.size() < 8) { unknown.incrementAndGet(); continue; }
                            int seq = (int) val.substring(0, 8).asReadOnlyByteBuffer().getLong() / keys; // per-key sequence
                            if (seq < 0 || seq >= putsPerKey) { unknown.incrementAndGet(); continue; }
                            if (wa.key < 0) wa.key = key;
                            if (wa.key != key) { wa.wrongKey++; continue; }
                            if (wa.seen.get(seq)) { wa.duplicates++; continue; }
                            if (seq < wa.maxSeq) wa.outOfOrder++;
                            wa.maxSeq = Math.max(wa.maxSeq, seq);
                            wa.seen.set(seq);
                            wa.receivedAt[seq] = now;
                            if (delivered.incrementAndGet() == expected) all.countDown();
                        }
                    });
                    rs.exceptionHandler(streamErrors::add);
                }).onFailure(t -> {
                    streamErrors.add(t);
                    for (int i = 0; i < n; i++) created.countDown();
                }));
            }
            boolean allCreated = created.await(Math.max(60, watchers / 100), TimeUnit.SECONDS);
            double createSeconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "%s: %d watchers %s in %.1f s over %s%n", label, watchers - created.getCount(),
                allCreated ? "created" : "created (of " + watchers + ", timed out)", createSeconds, c.describe());
            ServerProc.sleep(500); // let the gauges settle
            Map<String, Double> gauges = memberGauges(c.vertx, memberEndpoint);
            System.out.printf(Locale.ROOT, "%s: member gauges with all watchers open: %s%n", label, gauges);
            r.put("watchers_created", watchers - created.getCount());
            r.put("create_seconds", createSeconds);
            r.put("member_watchers", gauges.getOrDefault("etcd_debugging_mvcc_watcher_total", Double.NaN));
            r.put("member_watch_streams", gauges.getOrDefault("etcd_debugging_mvcc_watch_stream_total", Double.NaN));
            if (!streamErrors.isEmpty()) r.put("stream_errors", streamErrors.size() + ": " + streamErrors.get(0));

            // Puts at a fixed rate straight to the member, on a connection of their own; value = global sequence.
            pc = Conns.open(List.of(memberEndpoint), 1, 1);
            pc.connectAll();
            Conns putConns = pc;
            AtomicLong sent = new AtomicLong();
            AtomicLong putErrors = new AtomicLong();
            CountDownLatch putsAnswered = new CountDownLatch((int) totalPuts);
            long start = System.nanoTime();
            ByteString pad = Keys.value(24, 6);
            putConns.context(0).runOnContext(v0 -> putConns.vertx.setPeriodic(1, id -> {
                long due = Math.min(totalPuts, (long) ((System.nanoTime() - start) / 1e9 * putRate) + 1);
                while (sent.get() < due) {
                    int g = (int) sent.getAndIncrement();
                    sentAt[g] = System.nanoTime();
                    putConns.kv(0).put(PutRequest.newBuilder().setKey(keyBytes[g % keys])
                            .setValue(ByteString.copyFrom(ByteBuffer.allocate(8).putLong(g).array()).concat(pad)).build())
                        .onComplete(ar -> {
                            if (ar.failed()) putErrors.incrementAndGet();
                            else ackAt[g] = System.nanoTime();
                            putsAnswered.countDown();
                        });
                }
                if (sent.get() >= totalPuts) putConns.vertx.cancelTimer(id);
            }));
            long putDeadline = (long) (totalPuts / (double) putRate) + 60;
            putsAnswered.await(putDeadline, TimeUnit.SECONDS);
            double putSeconds = (System.nanoTime() - start) / 1e9;
            // delivery: until every event arrived, or --max-seconds, or 15 s without progress
            long lastCount = -1;
            long lastProgress = System.nanoTime();
            long end = System.nanoTime() + (long) (maxSeconds * 1e9);
            while (!all.await(250, TimeUnit.MILLISECONDS) && System.nanoTime() < end) {
                long d = delivered.get();
                if (d != lastCount) {
                    lastCount = d;
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > 15e9) break;
            }
            double deliverSeconds = (System.nanoTime() - start) / 1e9;
            if (nudge && delivered.get() < expected) {
                long before = delivered.get();
                long unknownBefore = unknown.get();
                for (int k = 0; k < keys; k++) { // value's sequence is past the range: counted as unknown, not as an event
                    putConns.kv(0).put(PutRequest.newBuilder().setKey(keyBytes[k])
                        .setValue(ByteString.copyFrom(ByteBuffer.allocate(8).putLong(Long.MAX_VALUE / 2).array())).build())
                        .await(30, TimeUnit.SECONDS);
                }
                all.await(5, TimeUnit.SECONDS);
                ServerProc.sleep(2000);
                r.put("missing_arrived_after_nudge", delivered.get() - before);
                r.put("nudge_events_received", unknown.get() - unknownBefore);
                System.out.printf(Locale.ROOT, "%s: nudge: %d of the %d missing events arrived after one more put per key; "
                    + "the nudge puts reached %d of %d watchers%n", label, delivered.get() - before, expected - before,
                    unknown.get() - unknownBefore, watchers);
            }
            ServerProc.sleep(300); // late duplicates would still be counted
            double cpuMember = ServerCpu.seconds(memberPid) - cpuMember0;
            double cpuProxy = ServerCpu.seconds(proxyPid) - cpuProxy0;

            Histogram fromAck = Result.newHist();
            Histogram fromSend = Result.newHist();
            long beforeAck = 0;
            long got = 0;
            long dup = 0;
            long ooo = 0;
            long wrong = 0;
            long none = 0;
            Map<String, String> missedExample = new LinkedHashMap<>();
            long partial = 0;
            for (Watcher w : ws) {
                int n = w.seen.cardinality();
                if (n == 0) none++;
                else if (n < putsPerKey) {
                    // one example per key of which events a watcher missed, for the report
                    if (partial++ < 1000) {
                        BitSet miss = (BitSet) w.seen.clone();
                        miss.flip(0, putsPerKey);
                        missedExample.putIfAbsent("key " + w.key, miss.toString());
                    }
                }
                dup += w.duplicates;
                ooo += w.outOfOrder;
                wrong += w.wrongKey;
                for (int q = w.seen.nextSetBit(0); q >= 0; q = w.seen.nextSetBit(q + 1)) {
                    got++;
                    int g = q * keys + w.key;
                    long recv = w.receivedAt[q];
                    Result.record(fromSend, recv - sentAt[g]);
                    if (ackAt[g] == 0) continue;
                    if (recv < ackAt[g]) beforeAck++;
                    Result.record(fromAck, Math.max(0, recv - ackAt[g]));
                }
            }
            r.put("puts", totalPuts);
            r.put("put_errors", putErrors.get());
            r.put("put_seconds", putSeconds);
            r.put("delivery_seconds", deliverSeconds);
            r.put("expected", expected);
            r.put("delivered", got);
            r.put("missing", expected - got);
            r.put("duplicated", dup);
            r.put("out_of_order", ooo);
            r.put("watchers_without_events", none);
            r.put("watchers_missing_some", partial);
            if (!missedExample.isEmpty()) r.put("missed_per_key_sequence_example", missedExample.toString());
            r.put("wrong_key_or_unknown", wrong + unknown.get());
            r.put("events_before_ack", beforeAck);
            r.put("ack_p50_ms", fromAck.getValueAtPercentile(50) / 1000.0);
            r.put("ack_p99_ms", fromAck.getValueAtPercentile(99) / 1000.0);
            r.put("ack_max_ms", fromAck.getMaxValue() / 1000.0);
            r.put("send_p50_ms", fromSend.getValueAtPercentile(50) / 1000.0);
            r.put("send_p99_ms", fromSend.getValueAtPercentile(99) / 1000.0);
            r.put("send_max_ms", fromSend.getMaxValue() / 1000.0);
            r.put("member_cpu_s", cpuMember);
            r.put("proxy_cpu_s", cpuProxy);
            System.out.printf(Locale.ROOT, "%s: delivered %d of %d events (missing %d, duplicated %d, out of order %d) in %.1f s; "
                    + "put->event p99 %.1f ms; CPU member %.1f s proxy %.1f s%n", label, got, expected, expected - got, dup, ooo,
                deliverSeconds, fromSend.getValueAtPercentile(99) / 1000.0, cpuMember, cpuProxy);
            return r;
        } finally {
            if (pc != null) pc.close();
            c.close();
        }
    }

    /** The member's watcher gauges from its /metrics (Prometheus text), by name. */
    static Map<String, Double> memberGauges(Vertx vertx, String memberEndpoint) {
        Map<String, Double> g = new LinkedHashMap<>();
        HttpClient http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(5000));
        try {
            var addr = Conns.parse(memberEndpoint);
            String body = http.request(io.vertx.core.http.HttpMethod.GET, addr.port(), addr.host(), "/metrics")
                .compose(req -> req.send().compose(resp -> resp.body()))
                .await(30, TimeUnit.SECONDS).toString();
            for (String line : body.split("\n")) {
                for (String name : List.of("etcd_debugging_mvcc_watcher_total", "etcd_debugging_mvcc_watch_stream_total")) {
                    if (line.startsWith(name + " ")) g.put(name, Double.parseDouble(line.substring(name.length() + 1).trim()));
                }
            }
        } catch (Exception e) {
            System.out.println("proxy-watch: cannot read " + memberEndpoint + "/metrics: " + e);
        } finally {
            http.close();
        }
        return g;
    }

    static String table(Map<String, Map<String, Object>> rows) {
        String[][] cols = {
            {"watchers created", "watchers_created", "%.0f"},
            {"member watchers (etcd_debugging_mvcc_watcher_total)", "member_watchers", "%.0f"},
            {"member watch streams (etcd_debugging_mvcc_watch_stream_total)", "member_watch_streams", "%.0f"},
            {"events expected", "expected", "%.0f"},
            {"events delivered (distinct)", "delivered", "%.0f"},
            {"missing", "missing", "%.0f"},
            {"duplicated", "duplicated", "%.0f"},
            {"out of order", "out_of_order", "%.0f"},
            {"watchers that got no event / missed some", null, null},
            {"event latency, put acked -> event, p50 ms", "ack_p50_ms", "%.1f"},
            {"event latency, put acked -> event, p99 ms", "ack_p99_ms", "%.1f"},
            {"event latency, put acked -> event, max ms", "ack_max_ms", "%.1f"},
            {"event latency, put sent -> event, p99 ms", "send_p99_ms", "%.1f"},
            {"events that arrived before their put's answer", "events_before_ack", "%.0f"},
            {"puts / put errors", null, null},
            {"puts sent + all delivered, s", "delivery_seconds", "%.1f"},
            {"watchers created in, s", "create_seconds", "%.1f"},
            {"member CPU s", "member_cpu_s", "%.1f"},
            {"proxy CPU s", "proxy_cpu_s", "%.1f"},
            {"member RSS MiB (end)", "member_rss_mib", "%.0f"},
            {"proxy RSS MiB (end)", "proxy_rss_mib", "%.0f"},
        };
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "| %-62s |", ""));
        for (String t : rows.keySet()) sb.append(String.format(Locale.ROOT, " %-20s |", t.equals("etcd") ? "etcd 3.4 + etcd proxy" : t.equals("vetcd") ? "vetcd + vetcd proxy" : t));
        sb.append('\n').append("|").append("-".repeat(64)).append("|");
        for (String ignored : rows.keySet()) sb.append("-".repeat(22)).append("|");
        sb.append('\n');
        for (String[] col : cols) {
            sb.append(String.format(Locale.ROOT, "| %-62s |", col[0]));
            for (Map<String, Object> r : rows.values()) {
                String v;
                if (col[1] == null && col[0].startsWith("puts")) v = r.get("puts") + " / " + r.get("put_errors");
                else if (col[1] == null) v = r.get("watchers_without_events") + " / " + r.get("watchers_missing_some");
                else {
                    Object o = r.get(col[1]);
                    v = o instanceof Number n ? String.format(Locale.ROOT, col[2], n.doubleValue()) : String.valueOf(o);
                }
                sb.append(String.format(Locale.ROOT, " %20s |", v));
            }
            sb.append('\n');
        }
        for (var e : rows.entrySet()) {
            if (e.getValue().containsKey("stream_errors")) sb.append(e.getKey()).append(" stream errors: ").append(e.getValue().get("stream_errors")).append('\n');
            if (e.getValue().containsKey("note")) sb.append(e.getKey()).append(": ").append(e.getValue().get("note")).append('\n');
        }
        return sb.toString();
    }

    String json(Map<String, Map<String, Object>> rows, Instant when) {
        StringBuilder sb = new StringBuilder("{\"when\":\"" + when + "\",\"watchers\":" + watchers + ",\"keys\":" + keys
            + ",\"puts_per_key\":" + putsPerKey + ",\"put_rate\":" + putRate + ",\"conns\":" + conns + ",\"watchers_per_stream\":" + watchersPerStream
            + ",\"results\":{");
        AtomicInteger i = new AtomicInteger();
        rows.forEach((t, r) -> {
            if (i.getAndIncrement() > 0) sb.append(',');
            sb.append('"').append(t).append("\":{");
            int j = 0;
            for (var e : r.entrySet()) {
                if (j++ > 0) sb.append(',');
                Object v = e.getValue();
                sb.append('"').append(e.getKey()).append("\":");
                if (v instanceof Number n && !(n instanceof Double d && (d.isNaN() || d.isInfinite()))) sb.append(n);
                else sb.append('"').append(String.valueOf(v).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
            sb.append('}');
        });
        return sb.append("}}\n").toString();
    }
}
