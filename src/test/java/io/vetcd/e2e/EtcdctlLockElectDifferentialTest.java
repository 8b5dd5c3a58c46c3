package io.vetcd.e2e;

import io.vetcd.testing.AgainstRealEtcd;
import io.vetcd.testing.Cli;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code etcdctl lock} and {@code etcdctl elect} (clientv3's Mutex and Election over KV, Lease
 * and Watch) against a real etcd 3.4 and against vetcd: the same scenario must print the same
 * transcript once lease ids (in the keys) are masked.
 */
class EtcdctlLockElectDifferentialTest extends AgainstRealEtcd {

    /** A long-running etcdctl whose output is collected as it comes. */
    static final class Bg implements AutoCloseable {
        final Process p;
        final StringBuffer out = new StringBuffer();

        Bg(String endpoint, String... args) throws IOException {
            List<String> cmd = new ArrayList<>(List.of("etcdctl", "--endpoints", endpoint));
            cmd.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("ETCDCTL_API", "3");
            p = pb.start();
            Thread t = new Thread(() -> {
                try (InputStream in = p.getInputStream()) {
                    byte[] b = new byte[4096];
                    int n;
                    while ((n = in.read(b)) > 0) out.append(new String(b, 0, n, StandardCharsets.UTF_8));
                } catch (IOException ignored) {
                }
            });
            t.setDaemon(true);
            t.start();
        }

        /** Waits until the output has {@code lines} lines; returns it. */
        String await(int lines) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (out.toString().split("\n", -1).length - 1 < lines) {
                if (System.nanoTime() > deadline) return out + "<timeout>";
                Thread.sleep(20);
            }
            return out.toString();
        }

        /** SIGTERM: etcdctl releases what it holds (closes its session, revoking the lease). */
        int term() throws InterruptedException {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly();
            return p.exitValue();
        }

        @Override
        public void close() {
            p.destroyForcibly();
        }
    }

    static String mask(String s) {
        return s.replaceAll("/[0-9a-f]{1,16}\\b", "/LEASE");
    }

    static List<String> lockScenario(String ep) throws Exception {
        List<String> t = new ArrayList<>();
        Cli.Result r = Cli.etcdctl(ep, "lock", "lk", "echo", "ran");
        t.add(r.exitCode() + " " + r.output());
        try (Bg holder = new Bg(ep, "lock", "lk")) {
            t.add(holder.await(1));
            Bg second = new Bg(ep, "lock", "lk", "sh", "-c", "echo got $ETCD_LOCK_KEY");
            Thread.sleep(1000);
            t.add("waiting: " + second.out + "|" + second.p.isAlive());
            t.add("holder exit " + holder.term());
            t.add(second.await(1));
            second.p.waitFor(20, TimeUnit.SECONDS);
            t.add("second exit " + second.p.exitValue());
            second.close();
        }
        r = Cli.etcdctl(ep, "get", "--prefix", "lk/", "--keys-only");
        t.add(r.output());
        return t;
    }

    static List<String> electScenario(String ep) throws Exception {
        List<String> t = new ArrayList<>();
        try (Bg first = new Bg(ep, "elect", "el", "p1")) {
            t.add(first.await(2));
            try (Bg observer = new Bg(ep, "elect", "-l", "el");
                 Bg second = new Bg(ep, "elect", "el", "p2")) {
                t.add(observer.await(2));
                Thread.sleep(1000);
                t.add("second before: " + second.out);
                t.add("first exit " + first.term());
                t.add(second.await(2));
                t.add(observer.await(4));
                t.add("second exit " + second.term());
                t.add(observer.await(4));
            }
        }
        Cli.Result r = Cli.etcdctl(ep, "get", "--prefix", "el/", "--keys-only");
        t.add(r.output());
        return t;
    }

    @Test
    void lockMatchesRealEtcd() throws Exception {
        List<String> expected = lockScenario(etcd.endpoint());
        List<String> actual = lockScenario(vetcd.endpoint());
        assertTrue(expected.get(1).startsWith("lk/"), expected.toString());
        for (int i = 0; i < expected.size(); i++) assertEquals(mask(expected.get(i)), mask(actual.get(i)), "step " + i);
    }

    @Test
    void electMatchesRealEtcd() throws Exception {
        List<String> expected = electScenario(etcd.endpoint());
        List<String> actual = electScenario(vetcd.endpoint());
        assertTrue(expected.get(0).startsWith("el/"), expected.toString());
        for (int i = 0; i < expected.size(); i++) assertEquals(mask(expected.get(i)), mask(actual.get(i)), "step " + i);
    }
}
