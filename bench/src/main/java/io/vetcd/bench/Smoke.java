package io.vetcd.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * A few seconds of every workload against one vetcd started from the fat jar
 * (free loopback ports, temporary data dir). Fails (exit 1) if put, range or
 * txn report any error; watch and lease may answer UNIMPLEMENTED until those
 * services land, anything else fails.
 */
@Command(name = "smoke", mixinStandardHelpOptions = true, description = "Short benchmark run against a vetcd it starts (for CI).")
final class Smoke implements Callable<Integer> {
    @Option(names = "--vetcd-jar", defaultValue = "target/node-fat.jar") String vetcdJar;
    @Option(names = "--total", defaultValue = "2000") int total;
    @Option(names = "--proxy-watch", description = "also 200 watchers of 4 keys through vetcd's grpc-proxy in front of the member, "
        + "10 puts per key; fails on a missing, duplicated or out-of-order event or more member watchers than keys (~10 s). "
        + "(.ci/run passes it)") boolean proxyWatch;

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("vetcd-bench-smoke");
        Compare cfg = new Compare();
        cfg.conns = 4;
        cfg.clients = 32;
        cfg.maxSeconds = 30;
        int failures = 0;
        try (ServerProc s = ServerProc.vetcd(vetcdJar, List.of("-Xmx512m"), dir, 10000)) {
            double ms = s.start();
            System.out.printf(Locale.ROOT, "smoke: vetcd pid %d on %s, first request served after %.0f ms%n", s.pid(), s.endpoint(), ms);
            for (String w : Workloads.names()) {
                Workloads.Base b = cfg.make(w, List.of(s.endpoint()), total / 20000.0);
                Result r = b.execute(null);
                boolean optional = w.equals("watch") || w.equals("lease-keepalive");
                boolean ok = r.status().equals("OK") || (optional && r.status().equals("UNIMPLEMENTED"));
                if (r.ok == 0 && r.status().equals("OK")) ok = false;
                if (!ok) failures++;
                System.out.printf(Locale.ROOT, "smoke %-16s %-13s ok %6d  %8.1f QPS  p99 %8.3f ms%s%s%n", w, r.status(), r.ok, r.qps(), r.p(99),
                    r.errors.total() > 0 ? "  errors " + r.errors.counts : "", ok ? "" : "   <-- FAIL");
            }
            if (proxyWatch) failures += proxyWatch(s, dir);
            if (!s.isAlive()) {
                System.out.println("smoke: vetcd died; log tail:\n" + s.tail());
                failures++;
            }
        } finally {
            Compare.deleteTree(dir);
        }
        System.out.println(failures == 0 ? "smoke: PASS" : "smoke: FAIL (" + failures + ")");
        return failures == 0 ? 0 : 1;
    }

    /** A tiny proxy-watch (ProxyWatch) through vetcd's grpc-proxy in front of {@code member}; returns the failures. */
    private int proxyWatch(ServerProc member, Path dir) throws Exception {
        ProxyWatch pw = new ProxyWatch();
        pw.watchers = 200;
        pw.keys = 4;
        pw.putsPerKey = 10;
        pw.putRate = 100;
        pw.conns = 2;
        pw.watchersPerStream = 50;
        pw.maxSeconds = 20;
        try (ProxyProc proxy = ProxyProc.vetcd(vetcdJar, List.of("-Xmx256m"), member.endpoint(), dir.resolve("proxy.log"))) {
            proxy.start();
            java.util.Map<String, Object> r = pw.run(member.endpoint(), proxy.endpoint(), member.pid(), proxy.pid(), "smoke proxy-watch");
            long bad = ((Number) r.get("missing")).longValue() + ((Number) r.get("duplicated")).longValue()
                + ((Number) r.get("out_of_order")).longValue();
            double memberWatchers = ((Number) r.get("member_watchers")).doubleValue();
            boolean ok = bad == 0 && memberWatchers <= pw.keys;
            System.out.printf(Locale.ROOT, "smoke %-16s delivered %s of %s, missing %s, duplicated %s, out of order %s, member watchers %.0f (keys %d)%s%n",
                "proxy-watch", r.get("delivered"), r.get("expected"), r.get("missing"), r.get("duplicated"), r.get("out_of_order"),
                memberWatchers, pw.keys, ok ? "" : "   <-- FAIL");
            if (!ok) System.out.println("smoke: vetcd grpc-proxy log tail:\n" + ServerProc.tail(proxy.logFile));
            return ok ? 0 : 1;
        }
    }
}
