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
}
